# Reference values for rpeval.matching.weight() and effect() on a WeightResult, on MatchIt's
# lalonde data: closed-form IPW / overlap weights from R's glm logit propensity score, and
# weighted least squares of re78 on treat with sandwich::vcovHC (HC3 and HC0).
# (WeightIt and ebal are not packaged for Debian; the formulas are written out here.)
#
# Run from the repository root:   Rscript tests/reference/matching_weighting.R
# Writes tests/reference/matching_weighting.json.
suppressPackageStartupMessages({
  library(MatchIt)
  library(sandwich)
  library(jsonlite)
})

data("lalonde", package = "MatchIt")
ps <- fitted(glm(treat ~ age + educ + race + married + nodegree + re74 + re75,
                 data = lalonde, family = binomial))
t <- lalonde$treat
share <- mean(t)
weights <- list(
  ATE = ifelse(t == 1, 1 / ps, 1 / (1 - ps)),
  ATT = ifelse(t == 1, 1, ps / (1 - ps)),
  ATC = ifelse(t == 1, (1 - ps) / ps, 1),
  ATO = ifelse(t == 1, 1 - ps, ps),
  ATE_stabilized = ifelse(t == 1, share / ps, (1 - share) / (1 - ps))
)
fit_one <- function(w) {
  fit <- lm(re78 ~ treat, data = lalonde, weights = w)
  list(weights = unname(w), estimate = unname(coef(fit)["treat"]),
       se_hc3 = sqrt(vcovHC(fit, type = "HC3")["treat", "treat"]),
       se_hc0 = sqrt(vcovHC(fit, type = "HC0")["treat", "treat"]),
       ess_treated = sum(w[t == 1])^2 / sum(w[t == 1]^2),
       ess_control = sum(w[t == 0])^2 / sum(w[t == 0]^2))
}
out <- c(list(meta = list(r_version = R.version.string,
                          sandwich = as.character(packageVersion("sandwich")))),
         lapply(weights, fit_one))
write_json(out, "tests/reference/matching_weighting.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
