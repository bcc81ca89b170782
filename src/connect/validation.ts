/**
 * A connector config checked by its plugin before anything is created or changed
 * (PUT /connector-plugins/{class}/config/validate): errors per field, exit 2.
 */
import {ExitCode, KafkitError} from '../errors.js'
import type {ConfigValidation, ConnectClient} from './client.js'

export interface FieldErrors {
  field: string
  errors: string[]
}

/** The fields with errors, in the plugin's order. */
export function fieldErrors(validation: ConfigValidation): FieldErrors[] {
  return validation.configs.filter((c) => c.value.errors.length > 0).map((c) => ({field: c.value.name, errors: c.value.errors}))
}

/** Lines for stderr: `  topics: Must configure one of topics or topics.regex`. */
export function formatFieldErrors(connector: string, errors: FieldErrors[]): string[] {
  return [`${connector}:`, ...errors.flatMap((e) => e.errors.map((msg) => `  ${e.field}: ${msg.split('\n')[0]}`))]
}

export function invalidConfigError(invalid: {connector: string; errors: FieldErrors[]}[], source?: string): KafkitError {
  const count = invalid.reduce((n, c) => n + c.errors.reduce((m, e) => m + e.errors.length, 0), 0)
  const first = invalid[0]
  const firstError = first.errors[0]
  const names = invalid.map((c) => `'${c.connector}'`).join(', ')
  return new KafkitError('CONNECTOR_CONFIG_INVALID', `the config of ${names} is invalid (${count} error${count === 1 ? '' : 's'}): ${firstError.field}: ${firstError.errors[0].split('\n')[0]}`, {
    hint: `fix ${source ?? 'the config'}; the plugin's own check (PUT /connector-plugins/{class}/config/validate) says so`,
    exitCode: ExitCode.USAGE,
    details: {connectors: invalid},
  })
}

/** Validates one config with its plugin; `name` is part of the config Connect checks. */
export async function validateConfig(client: ConnectClient, name: string, config: Record<string, string>): Promise<FieldErrors[]> {
  const validation = await client.validate(config['connector.class'], {...config, name})
  return validation.error_count > 0 ? fieldErrors(validation) : []
}
