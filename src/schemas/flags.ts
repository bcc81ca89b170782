/** The schema flags of consume, produce and replay (defined here so that the commands only spread them in). */
import {Flags} from '@oclif/core'

import {DATA_FORMATS} from './data-formats.js'

const GROUP = 'SCHEMAS'

/** --proto/--proto-path/--message: Protobuf from .proto files, without a registry (consume and produce). */
export const protoFlags = {
  proto: Flags.string({description: 'a .proto file whose --message (and --key-message) types the records are, no registry needed', helpGroup: GROUP}),
  'proto-path': Flags.string({description: "directory the .proto imports are resolved from (repeatable; the file's own directory is searched last)", multiple: true, helpGroup: GROUP}),
  message: Flags.string({description: "with --proto: the value's message type, e.g. acme.sales.Sale (with --value-schema FILE.proto: which message of the file)", helpGroup: GROUP}),
  'key-message': Flags.string({description: "with --proto: the key's message type", helpGroup: GROUP}),
}

export const consumeSchemaFlags = {
  'value-format': Flags.string({
    description: 'how values are decoded: auto (the default with a schema registry: wire-format records with a known id are decoded), avro, protobuf, json-schema, raw',
    options: [...DATA_FORMATS],
    helpGroup: GROUP,
  }),
  'key-format': Flags.string({description: 'how keys are decoded (as --value-format)', options: [...DATA_FORMATS], helpGroup: GROUP}),
  strict: Flags.boolean({description: 'exit 5 at the end when any record claimed the wire format but could not be decoded (always shown raw and counted)', helpGroup: GROUP}),
  'schema-cache': Flags.boolean({
    description: 'keep schemas fetched by id on disk for the next runs (~/.cache/kafkit/schemas; not for registries on 127.0.0.1/localhost); --no-schema-cache: neither read nor write it',
    allowNo: true,
    default: true,
    helpGroup: GROUP,
  }),
  where: Flags.string({description: 'keep records for which this expression is true: value.store_id == "store-7" and value.qty < 0 (key, value.*, headers.*, partition, offset, timestamp, topic)'}),
  ...protoFlags,
}

export const produceSchemaFlags = {
  'value-schema': Flags.string({
    description: 'encode values (JSON input) with this schema file: .avsc (Avro), .proto (Protobuf, with --message), .json (JSON Schema); its id comes from the registry (subject TOPIC-value)',
    helpGroup: GROUP,
  }),
  'value-subject': Flags.string({description: "encode values with this registry subject's schema (--value-schema-version, default latest)", exclusive: ['value-schema'], helpGroup: GROUP}),
  'value-schema-version': Flags.string({description: 'version of --value-subject: N or latest', helpGroup: GROUP}),
  'key-schema': Flags.string({description: 'encode keys (JSON) with this schema file (subject TOPIC-key)', helpGroup: GROUP}),
  'key-subject': Flags.string({description: "encode keys with this registry subject's schema", exclusive: ['key-schema'], helpGroup: GROUP}),
  'key-schema-version': Flags.string({description: 'version of --key-subject: N or latest', helpGroup: GROUP}),
  'auto-register': Flags.boolean({
    description: 'register --value-schema/--key-schema under its subject when the registry does not have it yet (off: an unregistered schema is an error)',
    helpGroup: GROUP,
  }),
  ...protoFlags,
}
