#!/usr/bin/env node
// Closing the reading end of a pipe (`kafkit consume t | head`) is a normal way to stop: exit 0 quietly.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1'

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
