import {Args, Flags} from '@oclif/core'

import {RegistryCommand} from '../../base-command.js'
import {RegisterResult, registerSchema, resolveReferences} from '../../schemas/operations.js'
import {parseReference, parseSchemaType, readSchemaFile} from '../../schemas/schema-file.js'

export default class SchemasRegister extends RegistryCommand<RegisterResult> {
  static summary = 'Register a schema under a subject (a new version unless it is already there)'
  static description = `The type comes from --type, else the extension (.avsc Avro, .proto Protobuf), else the content (a .json file with "$schema" or "properties" is JSON Schema). A schema the subject already has is not registered again: its id and version are printed. The registry checks compatibility: an incompatible schema is refused (see 'schemas check' for the reasons). Prints the schema id on stdout.`
  static examples = [
    '<%= config.bin %> schemas register sales-value -f sale.avsc',
    '<%= config.bin %> schemas register orders-value -f order.proto --reference shop/money.proto=money-value:1',
    '<%= config.bin %> schemas register events-value -f event.json --type json --json',
  ]
  static args = {subject: Args.string({description: 'subject (by convention TOPIC-value or TOPIC-key)', required: true})}
  static flags = {
    file: Flags.string({char: 'f', description: 'the schema file', required: true}),
    type: Flags.string({char: 't', description: 'schema type (default: from the file)', options: ['avro', 'protobuf', 'json']}),
    reference: Flags.string({char: 'r', description: 'a reference: name=subject:version (version a number or latest); repeatable', multiple: true}),
  }

  async run(): Promise<RegisterResult> {
    const {args, flags} = await this.parse(SchemasRegister)
    const file = await readSchemaFile(flags.file, flags.type ? parseSchemaType(flags.type) : undefined)
    const specs = (flags.reference ?? []).map(parseReference)
    const client = await this.registry()
    const references = await resolveReferences(client, specs)
    const result = await registerSchema(client, args.subject, {schema: file.text, schemaType: file.type, references})
    this.render(result, (r, io) => {
      io.info(
        r.created
          ? `${io.styleErr('registered', 'green')} ${r.subject} version ${r.version} (id ${r.id})`
          : `${r.subject} already has this schema: version ${r.version} (id ${r.id}); nothing registered`,
      )
      io.out(String(r.id))
    })
    return result
  }
}
