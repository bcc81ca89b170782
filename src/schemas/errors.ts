/** A JSON value that does not fit its schema: `path` names the field (value.items[2].qty), `reason` what is wrong. */
export class SchemaMismatch extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`)
    this.name = 'SchemaMismatch'
  }
}
