#!/bin/sh
# Add ClinicDesk to the current user's applications menu. Shipped in the Linux archive as install.sh:
#   tar xzf clinicdesk-*.tar.gz -C ~/opt && ~/opt/clinicdesk/install.sh
# It only writes a menu entry and an icon under ~/.local/share; delete those two files to undo it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
icons="$data/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/clinicdesk.png" "$icons/clinicdesk.png"
sed -e "s|^Exec=clinicdesk|Exec=\"$here/clinicdesk\"|" -e "s|^TryExec=clinicdesk|TryExec=$here/clinicdesk|" \
    "$here/clinicdesk.desktop" > "$apps/clinicdesk.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" >/dev/null 2>&1 || true
echo "ClinicDesk added to the applications menu: $apps/clinicdesk.desktop"
