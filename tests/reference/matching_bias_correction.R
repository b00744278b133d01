# Reference values for effect(..., bias_correction=True): Abadie & Imbens' bias-corrected
# matching estimator with their heteroskedasticity-robust variance (Var.calc = 4), from
# R's Matching package (Sekhon; Debian r-cran-matching 4.10-8) on MatchIt's lalonde.
#
# The match is on the logistic propensity score, with replacement (the design Matching
# and Abadie & Imbens have in mind), the bias regression on the propensity covariates.
# Eleven controls share their score with another; to compare pair for pair the score is
# made distinct by adding 1e-7 times the row number (smaller steps still leave Matching
# ties: 199 matches for 185 treated at 1e-9), and Matching's distance tolerance
# and tolerance are set to 0 (by default, 1e-5 and sqrt(eps), distances that close count
# as ties, averaged over, also among the variance's neighbours).
#
# Run from the repository root:   Rscript tests/reference/matching_bias_correction.R
# Writes tests/reference/matching_bias_correction.json.
suppressPackageStartupMessages({
  library(MatchIt)
  library(Matching)
  library(jsonlite)
})

data("lalonde", package = "MatchIt")
ps <- fitted(glm(treat ~ age + educ + race + married + nodegree + re74 + re75,
                 data = lalonde, family = binomial,
                 control = glm.control(epsilon = 1e-14, maxit = 100)))
score <- unname(ps) + 1e-7 * seq_len(nrow(lalonde))
Z <- model.matrix(~ age + educ + race + married + nodegree + re74 + re75, lalonde)[, -1]
employed <- as.numeric(lalonde$re78 > 0)

one <- function(y, M, estimand, sample = FALSE) {
  m <- Match(Y = y, Tr = lalonde$treat, X = score, Z = Z, M = M, replace = TRUE,
             BiasAdjust = TRUE, Var.calc = 4, estimand = estimand, ties = TRUE,
             distance.tolerance = 0, tolerance = 0, sample = sample)
  list(estimate = unname(m$est[1, 1]), se = unname(m$se), n_focal = length(unique(m$index.treated)),
       focal = unname(m$index.treated), match = unname(m$index.control))
}
out <- list(meta = list(r_version = R.version.string,
                        Matching = as.character(packageVersion("Matching"))),
            score = score)
for (M in 1:2) {
  out[[paste0("att_m", M)]] <- one(lalonde$re78, M, "ATT")
  out[[paste0("att_m", M, "_sample")]] <- one(lalonde$re78, M, "ATT", sample = TRUE)
  out[[paste0("atc_m", M)]] <- one(lalonde$re78, M, "ATC")
  out[[paste0("att_m", M, "_employed")]] <- one(employed, M, "ATT")
}
write_json(out, "tests/reference/matching_bias_correction.json", digits = NA,
           auto_unbox = TRUE, pretty = TRUE, na = "null")
