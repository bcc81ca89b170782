// Entry of dist/bundle/commands/help.js (scripts/bundle.mjs): `kafkit help [COMMAND]` from @oclif/plugin-help.
import {commands} from '@oclif/plugin-help'

export default commands.help
