# bash completion for railmail (installed as
# share/bash-completion/completions/railmail; or source it from ~/.bashrc).
# railmail itself says what may come next: `railmail complete -- WORDS...`
# prints the candidates for the last word, or ":dirs" for a directory. This
# only hands it the words before the cursor and gives bash the answer.
_railmail()
{
    local line=${COMP_LINE:0:COMP_POINT} raw cur c i pre=0 quoted=
    local -a words candidates
    read -a words <<<"$line"  # without -r: backslashes go, as the shell's do
    [[ $line == *[[:space:]] ]] && words+=("")
    raw=${line##*[[:space:]]}
    cur=${words[${#words[@]}-1]}
    if [[ $raw == [\'\"]* ]]; then  # inside quotes bash breaks no word and escapes nothing
        quoted=1
        words[${#words[@]}-1]=${cur:1}
    fi
    # bash replaces only what follows the word's last unescaped break
    # character (= : > <): the candidates, escaped, are cut there
    for ((i = 0; i < ${#raw} && !quoted; i++)); do
        c=${raw:i:1}
        if [[ $c == \\ ]]; then
            i=$((i + 1))
        elif [[ $COMP_WORDBREAKS == *"$c"* ]]; then
            pre=$((i + 1))
        fi
    done
    mapfile -t candidates < <("${words[0]/#\~/$HOME}" complete -- "${words[@]:1}" 2>/dev/null)
    COMPREPLY=()
    if [[ ${candidates[0]-} == :dirs ]]; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "${raw:pre}")
        return
    fi
    for c in "${candidates[@]}"; do
        [[ $quoted ]] || printf -v c %q "$c"  # --target's >= and a path's > on a bare line
        COMPREPLY+=("${c:pre}")
    done
    # a key, a metric or a scope still to be finished: no space after it
    if ((${#candidates[@]} == 1)) && [[ ${candidates[0]} == *[.@:=] ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _railmail railmail railmail-mpi
