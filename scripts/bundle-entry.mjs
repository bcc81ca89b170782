// Entry of dist/bundle/kafkit.js (scripts/bundle.mjs): what bin/run.js needs from oclif.
export {execute} from '@oclif/core'
