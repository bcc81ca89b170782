/** The resolved connection the port's createClient() takes (defined by the adapter that consumes it). */
export type {BearerToken, KafkaConnection, SaslCredentials, TlsOptions} from './kafkajs/connection.js'
