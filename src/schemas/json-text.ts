/** JSON text written fast, shared by the Avro decoders (avro.ts, avro-json.ts). */

const TWO = Array.from({length: 100}, (_, i) => String(i).padStart(2, '0'))
const THREE = Array.from({length: 1000}, (_, i) => String(i).padStart(3, '0'))
let lastSecond = Number.NaN
let lastPrefix = ''

/**
 * new Date(ms).toISOString(), several times faster: consecutive records mostly fall in the same second (its
 * text is kept), and the calendar date is arithmetic (days -> civil date) rather than a Date object.
 */
export function isoFromMillis(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= 253_402_300_800_000) return new Date(ms).toISOString()
  const second = Math.floor(ms / 1000)
  if (second !== lastSecond) {
    const days = Math.floor(second / 86_400)
    let rest = second - days * 86_400
    const z = days + 719_468
    const era = Math.floor(z / 146_097)
    const doe = z - era * 146_097
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
    const mp = Math.floor((5 * doy + 2) / 153)
    const day = doy - Math.floor((153 * mp + 2) / 5) + 1
    const month = mp < 10 ? mp + 3 : mp - 9
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    const hours = Math.floor(rest / 3600)
    rest -= hours * 3600
    const minutes = Math.floor(rest / 60)
    lastPrefix = `${String(year).padStart(4, '0')}-${TWO[month]}-${TWO[day]}T${TWO[hours]}:${TWO[minutes]}:${TWO[rest - minutes * 60]}.`
    lastSecond = second
  }
  return `${lastPrefix}${THREE[ms - second * 1000]}Z`
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/
/** A JSON string literal; the common case (nothing to escape) without JSON.stringify. */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`
}
