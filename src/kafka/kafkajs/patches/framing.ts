/**
 * Replaces kafkajs' request framing (`kafkajs/src/protocol/request.js`).
 * Why: kafkajs copies every request body twice into zero-filled buffers grown to the next power of two (~100 ms
 * per 100 MB produced); this one allocates once and copies the body once, or not at all when the body was encoded
 * with room for the header in front (the fast Produce request, produce-request.ts).
 * Checked on: kafkajs 2.2.4. Pinned by: test/unit/produce-encoding.test.ts ("request framing": the same bytes as kafkajs).
 */

interface EncoderLike {
  buf: Buffer
  offset: number
}
export type EncoderClass = new (initialSize?: number) => EncoderLike

/** Bytes kept free in front of a fast Produce body for the request header (size, api, correlation, client id). */
export const HEADROOM = 64

export interface EncoderWithHeadroom {
  buf: Buffer
  offset: number
  readonly buffer: Buffer
  /** The body with HEADROOM free bytes in front of it (`buf` is a view of its tail). */
  kafkitFramed?: Buffer
}

interface FrameArgs {
  correlationId: number
  clientId: string | null
  request: {apiKey: number; apiVersion: number; encode: () => Promise<EncoderWithHeadroom>}
}
type FrameRequest = (args: FrameArgs) => Promise<{buffer: Buffer}>

/** kafkajs' protocol/request.js: INT32 size, INT16 apiKey, INT16 apiVersion, INT32 correlationId, STRING clientId, body. */
export function frameRequest(Encoder: EncoderClass): FrameRequest {
  return async ({correlationId, clientId, request: {apiKey, apiVersion, encode}}) => {
    const payload = await encode()
    const id = clientId === null || clientId === undefined ? null : Buffer.from(clientId, 'utf8')
    const header = 14 + (id ? id.length : 0)
    const body = payload.buffer
    const inPlace = payload.kafkitFramed !== undefined && header <= HEADROOM
    // In place: the header goes into the free bytes just before the body, which is not copied at all.
    const out = inPlace ? payload.kafkitFramed!.subarray(HEADROOM - header) : Buffer.allocUnsafe(header + body.length)
    if (!inPlace) body.copy(out, header)
    out.writeInt32BE(header - 4 + body.length, 0)
    out.writeInt16BE(apiKey, 4)
    out.writeInt16BE(apiVersion, 6)
    out.writeInt32BE(correlationId, 8)
    out.writeInt16BE(id ? id.length : -1, 12)
    if (id) id.copy(out, 14)
    const e = new Encoder(1)
    e.buf = out
    e.offset = out.length
    return e as unknown as {buffer: Buffer}
  }
}
