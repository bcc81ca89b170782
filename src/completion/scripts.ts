/**
 * The completion scripts `kafkit completion bash|zsh|fish` prints. Each is a thin shell function that hands the
 * words typed so far to `kafkit __complete SHELL -- WORDS...` (src/commands/__complete.ts) and offers what it
 * prints: one candidate per line (`value<TAB>description` for zsh and fish), or `:files` for a file name. The
 * program is called by the name the user typed (`kafkit`, `./bin/run.js`, an alias's target), so the scripts
 * never go stale when kafkit gains commands or flags.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

export const INSTALL: Record<Shell, string> = {
  bash: "kafkit completion bash > ~/.kafkit-completion.bash && echo 'source ~/.kafkit-completion.bash' >> ~/.bashrc",
  zsh: "kafkit completion zsh > ~/.kafkit-completion.zsh && echo 'source ~/.kafkit-completion.zsh' >> ~/.zshrc",
  fish: 'mkdir -p ~/.config/fish/completions && kafkit completion fish > ~/.config/fish/completions/kafkit.fish',
}

export function completionScript(shell: Shell, bin = 'kafkit'): string {
  const fn = `_${bin.replaceAll(/[^A-Za-z0-9_]/g, '_')}`
  switch (shell) {
    case 'bash':
      return `# ${bin} completion for bash (commands, flags, flag values, topics, groups, profiles).
# Install: ${INSTALL.bash}
${fn}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" i w joined=0 out
  local -a args=()
  # bash splits '--format=json' at '=' (COMP_WORDBREAKS): kafkit gets the flag back whole, replies lose the head.
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ $w == "=" && \${#args[@]} -gt 0 && \${args[\${#args[@]}-1]} == --* && \${args[\${#args[@]}-1]} != *=* ]]; then
      args[\${#args[@]}-1]+="="
      joined=1
      if ((i < COMP_CWORD)); then
        ((i++))
        args[\${#args[@]}-1]+="\${COMP_WORDS[i]}"
      fi
      continue
    fi
    args+=("$w")
  done
  if ((joined)) && [[ \${args[\${#args[@]}-1]} == --*=* ]]; then cur="\${args[\${#args[@]}-1]#*=}"; else joined=0; fi
  out=$("\${COMP_WORDS[0]}" __complete bash -- "\${args[@]}" 2>/dev/null) || return 0
  if [[ $out == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  local IFS=$'\\n'
  if ((joined)); then out="$(printf '%s\\n' "$out" | sed 's/^[^=]*=//')"; fi
  COMPREPLY=($(compgen -W "$out" -- "$cur"))
}
complete -F ${fn}_complete ${bin}
`
    case 'zsh':
      return `#compdef ${bin}
# ${bin} completion for zsh (commands, flags, flag values, topics, groups, profiles).
# Install: ${INSTALL.zsh}
${fn}() {
  local out line value
  local -a items
  out=$("\${words[1]}" __complete zsh -- "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  if [[ $out == ":files" ]]; then
    _files
    return
  fi
  for line in "\${(@f)out}"; do
    [[ -z $line ]] && continue
    value=\${line%%$'\\t'*}
    value=\${value//:/\\\\:}
    if [[ $line == *$'\\t'* ]]; then items+=("$value:\${line#*$'\\t'}"); else items+=("$value"); fi
  done
  (( \${#items} )) || return 1
  _describe -t ${bin}-words '${bin}' items
}
if (( ! $+functions[compdef] )); then autoload -Uz compinit && compinit; fi
compdef ${fn} ${bin}
`
    case 'fish':
      return `# ${bin} completion for fish (commands, flags, flag values, topics, groups, profiles).
# Install: ${INSTALL.fish}
function __${fn}_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($tokens[1] __complete fish -- $tokens[2..-1] "$current" 2>/dev/null)
    if test "$out" = ":files"
        __fish_complete_path "$current"
        return
    end
    printf '%s\\n' $out
end
complete -c ${bin} -f -a '(__${fn}_complete)'
`
  }
}
