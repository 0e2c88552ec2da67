#!/bin/sh
# tools/install.sh install|uninstall ROOT: what `make install` and `make
# uninstall` do, ROOT being $(DESTDIR)$(PREFIX). Run from the top of the
# sources. install copies
#   $BIN (default ./railmail)           to ROOT/bin/railmail
#   $MPI_BIN (./railmail-mpi, if built)  to ROOT/bin/railmail-mpi
#   scenarios/                          to ROOT/share/railmail/scenarios/
#   $MAN (default build/railmail.1)     to ROOT/share/man/man1/railmail.1
#   tools/completion.bash               to ROOT/share/bash-completion/completions/railmail
#                                       (and railmail-mpi, with railmail-mpi)
# and lists each file it wrote, and each directory it had to make (ROOT
# itself as "."), in ROOT/share/railmail/install-manifest, merged with the
# list of an earlier install into the same ROOT. uninstall removes exactly
# those files (the manifest among them), then those directories where they
# are empty.
set -eu
usage() { echo "usage: tools/install.sh install|uninstall ROOT" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
root=${2%/}
[ -n "$root" ] || root=/
manifest_rel=share/railmail/install-manifest
manifest=$root/$manifest_rel

# Each line of the manifest: "f PATH" or "d PATH", PATH relative to ROOT.
list=$(mktemp)
trap 'rm -f "$list"' EXIT

# Makes the directory ROOT/$1 and those above it (up to ROOT), listing each made.
make_dir() {
    case $1 in */*) make_dir "${1%/*}" ;; esac
    if [ ! -d "$root/$1" ]; then
        mkdir "$root/$1"
        chmod 755 "$root/$1"
        echo "d $1" >>"$list"
    fi
}

# Copies $1 to ROOT/$2 with mode $3.
put() {
    make_dir "${2%/*}"
    install -m "$3" "$1" "$root/$2"
    echo "f $2" >>"$list"
    echo "  $root/$2"
}

case $action in
install)
    bin=${BIN:-./railmail}
    mpi=${MPI_BIN:-./railmail-mpi}
    man=${MAN:-build/railmail.1}
    for f in "$bin" "$man" tools/completion.bash; do
        [ -f "$f" ] || { echo "install: $f is missing (run make install)" >&2; exit 1; }
    done
    if [ ! -d "$root" ]; then  # made here: uninstall removes it when it is empty again
        mkdir -p "$root"
        echo "d ." >>"$list"
    fi
    echo "installing into $root:"
    put "$bin" bin/railmail 755
    if [ -f "$mpi" ]; then put "$mpi" bin/railmail-mpi 755; fi
    find scenarios -type f ! -name '.*' | LC_ALL=C sort | while read -r f; do
        put "$f" "share/railmail/$f" 644
    done
    put "$man" share/man/man1/railmail.1 644
    put tools/completion.bash share/bash-completion/completions/railmail 644
    if [ -f "$mpi" ]; then  # bash-completion loads a command's file by its name
        put tools/completion.bash share/bash-completion/completions/railmail-mpi 644
    fi
    echo "f $manifest_rel" >>"$list"
    if [ -f "$manifest" ]; then cat "$manifest" >>"$list"; fi
    LC_ALL=C sort -u "$list" >"$manifest.tmp"
    mv "$manifest.tmp" "$manifest"
    chmod 644 "$manifest"
    ;;
uninstall)
    if [ ! -f "$manifest" ]; then
        echo "uninstall: no $manifest: nothing installed there" >&2
        exit 0
    fi
    echo "removing from $root:"
    cp "$manifest" "$list"  # the manifest is on it
    # files first; then directories, deepest first, where empty
    grep '^f ' "$list" | cut -c3- | while read -r f; do
        if [ -e "$root/$f" ] || [ -L "$root/$f" ]; then
            rm -f "$root/$f"
            echo "  $root/$f"
        fi
    done
    grep '^d ' "$list" | cut -c3- | LC_ALL=C sort -r | while read -r d; do
        if [ "$d" = . ]; then d=$root; else d=$root/$d; fi
        rmdir "$d" 2>/dev/null || true
    done
    ;;
*) usage ;;
esac
