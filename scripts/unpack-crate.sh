# Sourced by the measuring scripts: simplex-api-types as it would be published (its manifest
# standing alone), so that editing the repository meanwhile does not disturb a run.
#
# unpack_crate REPO DEST [REV]: the crate packaged from the working tree of REPO, or from git
# revision REV (through a worktree at DEST.tree, removed again), unpacked into DEST.
unpack_crate() {
  local repo="$1" dest="$2" rev="${3:-}" from="$1" target
  if [ -n "$rev" ]; then
    from="$dest.tree"
    git -C "$repo" worktree add --quiet --detach "$from" "$rev"
  fi
  target="$dest.package"
  (cd "$from" && CARGO_TARGET_DIR="$target" cargo package --quiet --no-verify --allow-dirty -p simplex-api-types)
  mkdir -p "$dest.crate"
  tar -xzf "$target"/package/simplex-api-types-*.crate -C "$dest.crate"
  mv "$dest".crate/simplex-api-types-* "$dest"
  rm -rf "$dest.crate" "$target"
  if [ -n "$rev" ]; then git -C "$repo" worktree remove --force "$from"; fi
}
