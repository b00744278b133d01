# Reference values for re-arrest rate models with a person-time offset: Poisson on
# lifelines' recur data aggregated to one row per person, and negative binomial on
# simulated overdispersed counts (recur's counts are not overdispersed).
#
# Run from the repository root:   Rscript tests/reference/rate_models.R
# Writes tests/reference/rate_counts.csv (the simulated counts) and
# tests/reference/rate_models.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(MASS)
  library(sandwich)
  library(jsonlite)
})

recur <- read.csv("tests/fixtures/recur.csv")
people <- do.call(rbind, lapply(split(recur, recur$ID), function(p) data.frame(
  ID = p$ID[1], AGE = p$AGE[1], TREAT = p$TREAT[1], arrests = sum(p$CENSOR),
  years = max(p$TIME1) / 365.25)))

block <- function(fit, robust = FALSE) {
  v <- if (robust) sandwich::vcovHC(fit, type = "HC0") else vcov(fit)
  list(terms = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(v))),
       loglik = as.numeric(logLik(fit)))
}
out <- list(
  n = nrow(people), events = sum(people$arrests), years = sum(people$years),
  poisson = block(glm(arrests ~ TREAT + AGE + offset(log(years)), family = poisson,
                      data = people)),
  poisson_robust = block(glm(arrests ~ TREAT + AGE + offset(log(years)), family = poisson,
                             data = people), robust = TRUE),
  poisson_group = block(glm(arrests ~ factor(TREAT) + offset(log(years)),
                            family = poisson, data = people), robust = TRUE)
)
set.seed(20261127)
n <- 600
counts <- data.frame(treat = rbinom(n, 1, 0.5), priors = rpois(n, 2),
                     years = round(runif(n, 0.5, 3), 3))
frailty <- rgamma(n, shape = 1.5, rate = 1.5)                    # mean 1: overdispersion
counts$arrests <- rpois(n, counts$years * exp(-0.3 - 0.4 * counts$treat +
                                               0.15 * counts$priors) * frailty)
write.csv(counts, "tests/reference/rate_counts.csv", row.names = FALSE)
nb <- glm.nb(arrests ~ treat + priors + offset(log(years)), data = counts)
out$negative_binomial <- c(block(nb), list(theta = nb$theta, theta_se = nb$SE.theta))
out$meta <- list(R = R.version.string, MASS = as.character(packageVersion("MASS")),
                 sandwich = as.character(packageVersion("sandwich")),
                 script = "tests/reference/rate_models.R",
                 data = paste("poisson*: tests/fixtures/recur.csv aggregated per person,",
                              "years = max(TIME1)/365.25; negative_binomial:",
                              "tests/reference/rate_counts.csv (simulated, seed 20261127)"))
write_json(out, "tests/reference/rate_models.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
