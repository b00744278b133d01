# Reference values for rpeval.qualitative.gwet_ac1 from R irrCAC 1.0 (gwet.ac1.raw: AC1,
# Gwet's linearised SE, t interval and p-value). irrCAC is built from its public source into
# a private library; run from tests/reference/:
#   R_LIBS=<library holding irrCAC> Rscript qualitative_irrcac.R
# Reads the data written by qualitative_irr.R; writes qualitative_irrcac.json.
suppressPackageStartupMessages(library(irrCAC))
library(jsonlite)

read <- function(file) read.csv(file)[, -1]  # drop the unit column
ac1 <- function(x) {
  # the same computation as gwet.ac1.raw, whose printed table rounds; full precision here
  r <- gwet.ac1.raw(x)
  est <- r$est
  bounds <- as.numeric(strsplit(gsub("[()]", "", est$conf.int), ",")[[1]])
  list(pa = est$pa, pe = est$pe, coeff = (est$pa - est$pe) / (1 - est$pe),
       se = est$coeff.se, lower = bounds[1], upper = bounds[2], p = est$p.value)
}
out <- list(
  irrcac_version = as.character(packageVersion("irrCAC")),
  missing = ac1(read("qualitative_ratings.csv")),
  complete = ac1(read("qualitative_ratings_complete.csv")),
  binary = ac1(read("qualitative_binary.csv"))
)
write_json(out, "qualitative_irrcac.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
