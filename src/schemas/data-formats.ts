/** consume's --value-format / --key-format values (kept apart from the decoders so that flags load nothing heavy). */
export const DATA_FORMATS = ['auto', 'avro', 'protobuf', 'json-schema', 'raw'] as const
export type DataFormat = (typeof DATA_FORMATS)[number]
