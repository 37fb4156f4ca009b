# Sourced by the scripts before they run `swift build`.
# SwiftPM fetches packages with git. Where the package sources are a read-only mirror owned
# by another user (as /opt/swift-packages is on these machines), git refuses it for an
# ordinary user ("dubious ownership"), and git honours safe.directory only from the global
# or system configuration. So, for the git processes these scripts start, the global
# configuration is a generated file that includes the user's own and adds that exception.
if [ "$(id -u)" -ne 0 ]; then
    mkdir -p .build
    _cfg="$PWD/.build/swiftpm-git.cfg"
    {
        if [ -f "${GIT_CONFIG_GLOBAL:-$HOME/.gitconfig}" ]; then
            printf '[include]\n\tpath = %s\n' "${GIT_CONFIG_GLOBAL:-$HOME/.gitconfig}"
        fi
        printf '[safe]\n\tdirectory = *\n'
    } > "$_cfg"
    export GIT_CONFIG_GLOBAL="$_cfg"
fi
