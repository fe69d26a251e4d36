# Regenerate the reference fixtures from R `survey` (run from the repository root):
#   Rscript tests/reference/make_reference.R
# Each script in tests/reference/r/ writes its own fixtures under tests/reference/fixtures/<name>/.
# The fixtures are committed, so the tests never need R.
scripts <- sort(list.files("tests/reference/r", pattern = "\\.R$", full.names = TRUE))
for (s in scripts) {
  message("== ", s)
  source(s, local = new.env())
}
