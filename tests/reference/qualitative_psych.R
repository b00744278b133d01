# Reference values for rpeval.qualitative.cohen_kappa's standard errors from R psych
# (cohen.kappa: Fleiss, Cohen & Everitt 1969 asymptotic variance). Run from tests/reference/:
#   Rscript qualitative_psych.R
# Reads qualitative_ratings_complete.csv and qualitative_binary.csv (written by
# qualitative_irr.R); writes qualitative_psych.json.
suppressPackageStartupMessages(library(psych))
library(jsonlite)

complete <- read.csv("qualitative_ratings_complete.csv")
binary <- read.csv("qualitative_binary.csv")
one <- function(x) {
  r <- cohen.kappa(x)
  list(kappa = r$kappa, var_kappa = r$var.kappa,
       lower = r$confid[1, "lower"], upper = r$confid[1, "upper"],
       weighted_kappa = r$weighted.kappa, var_weighted = r$var.weighted)
}
out <- list(
  psych_version = as.character(packageVersion("psych")),
  complete_ann_bob = one(complete[, c("ann", "bob")]),
  binary_ann_bob = one(binary[, c("ann", "bob")])
)
write_json(out, "qualitative_psych.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
