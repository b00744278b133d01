# Reference values for rpeval.matching.aipw() on MatchIt's lalonde data, with the AIPW
# estimating equations written out in base R: a glm logit propensity score, an outcome
# regression in each arm (lm for re78; glm logit for employment in 1978, re78 > 0), the
# ATE and ATT estimates and their influence-function SEs sqrt(mean(phi^2) / n).
#
# Run from the repository root:   Rscript tests/reference/matching_aipw.R
# Writes tests/reference/matching_aipw.json.
suppressPackageStartupMessages({
  library(MatchIt)
  library(jsonlite)
})

data("lalonde", package = "MatchIt")
lalonde$employed <- as.integer(lalonde$re78 > 0)
rhs <- "age + educ + race + married + nodegree + re74 + re75"
t <- lalonde$treat
e <- fitted(glm(as.formula(paste("treat ~", rhs)), data = lalonde, family = binomial))

aipw <- function(y, mu1, mu0) {
  n <- length(y)
  psi <- mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
  ate <- mean(psi)
  r <- y - mu0
  contrib <- t * r - (1 - t) * e / (1 - e) * r
  att <- sum(contrib) / sum(t)
  phi_att <- (contrib - t * att) / mean(t)
  list(ate = ate, ate_se = sqrt(mean((psi - ate)^2) / n),
       att = att, att_se = sqrt(mean(phi_att^2) / n))
}

arm_fit <- function(response, family) {
  f <- as.formula(paste(response, "~", rhs))
  fit1 <- glm(f, data = lalonde[t == 1, ], family = family)
  fit0 <- glm(f, data = lalonde[t == 0, ], family = family)
  list(mu1 = predict(fit1, newdata = lalonde, type = "response"),
       mu0 = predict(fit0, newdata = lalonde, type = "response"))
}

lin <- arm_fit("re78", gaussian())
logi <- arm_fit("employed", binomial())
out <- list(
  meta = list(r_version = R.version.string),
  linear = aipw(lalonde$re78, lin$mu1, lin$mu0),
  logistic = aipw(lalonde$employed, logi$mu1, logi$mu0)
)
write_json(out, "tests/reference/matching_aipw.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
