# Reference values for rpeval.matching.match() with the stratification designs: method =
# "subclass" (propensity-score subclasses and MatchIt's weights, ATT and ATE) and "cem"
# (coarsened exact matching with automatic and user cut points), MatchIt 4.7.2 on its
# lalonde data. (Full matching needs optmatch, which Debian does not package.)
#
# Run from the repository root:   Rscript tests/reference/matching_stratified.R
# Writes tests/reference/matching_stratified.json.
suppressPackageStartupMessages({
  library(MatchIt)
  library(jsonlite)
})

data("lalonde", package = "MatchIt")
form <- treat ~ age + educ + race + married + nodegree + re74 + re75

assignment <- function(m) {
  s <- summary(m, un = FALSE)
  list(id = rownames(lalonde), weights = unname(m$weights),
       subclass = as.integer(as.character(m$subclass)),
       nn_matched = unname(s$nn["Matched", ]), nn_columns = colnames(s$nn))
}

sub_att <- matchit(form, data = lalonde, method = "subclass", subclass = 6, estimand = "ATT")
sub_ate <- matchit(form, data = lalonde, method = "subclass", subclass = 5, estimand = "ATE")
cem_auto <- matchit(treat ~ age + educ + race + married + nodegree + re74, data = lalonde,
                    method = "cem")
cem_cuts <- matchit(treat ~ age + educ + race + re74, data = lalonde, method = "cem",
                    cutpoints = list(age = c(20, 25, 35), educ = 3, re74 = c(1, 5000)))
cem_ate <- matchit(treat ~ age + educ + race + re74, data = lalonde, method = "cem",
                   estimand = "ATE", cutpoints = list(age = 4, educ = 3, re74 = 3))
out <- list(
  meta = list(r_version = R.version.string,
              matchit = as.character(packageVersion("MatchIt"))),
  subclass_att = assignment(sub_att),
  subclass_ate = assignment(sub_ate),
  cem_auto = assignment(cem_auto),
  cem_cuts = assignment(cem_cuts),
  cem_ate = assignment(cem_ate)
)
write_json(out, "tests/reference/matching_stratified.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
