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

# glm.nb stops its theta search early: theta.ml's Newton steps stop below eps^0.25 and the
# alternation at an absolute change of 1e-8 in theta. The maximum-likelihood theta to
# machine precision comes from the same alternation with every step solved tightly.
# HC0 sandwich SEs as sandwich::vcovHC computes them on a glm.nb fit (expected-information
# bread, theta held fixed), on glm.nb's own fit and on the tight one.
# (theta.ml's eps is an absolute step size: 1e-10 * theta here. In double precision the
# score in theta is only known to about n * 1e-16, so where the likelihood is flat in
# theta, as in the mild data below with SE(theta) = 966, theta itself is only determined
# to about 1e-9 relative by any method.)
nb_mle <- function(formula, data) {
  fit <- glm(formula, family = poisson, data = data)
  theta <- theta.ml(fit$y, fitted(fit), limit = 100)
  for (i in 1:100) {
    fit <- glm(formula, family = negative.binomial(theta), data = data, start = coef(fit),
               control = glm.control(epsilon = 1e-14, maxit = 100))
    new_theta <- theta.ml(fit$y, fitted(fit), limit = 100, eps = 1e-10 * theta)
    done <- abs(new_theta - theta) < 1e-10 * theta
    theta <- new_theta
    if (done) break
  }
  fit <- glm(formula, family = negative.binomial(theta), data = data, start = coef(fit),
             control = glm.control(epsilon = 1e-14, maxit = 100))
  list(theta = as.vector(theta), alternations = i, coef = unname(coef(fit)),
       robust_se = unname(sqrt(diag(sandwich::vcovHC(fit, type = "HC0")))))
}
nb_extra <- function(nb, formula, data) {
  list(robust_se = unname(sqrt(diag(sandwich::vcovHC(nb, type = "HC0")))),
       mle = nb_mle(formula, data))
}
nb_formula <- arrests ~ treat + priors + offset(log(years))
out$negative_binomial <- c(out$negative_binomial, nb_extra(nb, nb_formula, counts))

# Mild overdispersion (alpha about 0.0045), where a general-purpose optimiser stops short
# of the maximum. glm.nb warns "alternation limit reached" here (its absolute 1e-8
# criterion on a theta of about 224), but its theta agrees with the tight one to 2e-10.
set.seed(20261213)
n <- 800
mild <- data.frame(treat = rbinom(n, 1, 0.5), priors = rpois(n, 2),
                   years = round(runif(n, 0.5, 3), 3))
frailty <- rgamma(n, shape = 50, rate = 50)
mild$arrests <- rpois(n, mild$years * exp(0.2 - 0.4 * mild$treat + 0.15 * mild$priors) *
                           frailty)
write.csv(mild, "tests/reference/rate_counts_mild.csv", row.names = FALSE)
nb_warning <- NULL
nb_mild <- withCallingHandlers(glm.nb(nb_formula, data = mild), warning = function(w) {
  nb_warning <<- conditionMessage(w)
  invokeRestart("muffleWarning")
})
out$negative_binomial_mild <- c(block(nb_mild),
                                list(theta = nb_mild$theta, theta_se = nb_mild$SE.theta,
                                     glm_nb_warning = nb_warning),
                                nb_extra(nb_mild, nb_formula, mild))
out$meta <- list(R = R.version.string, MASS = as.character(packageVersion("MASS")),
                 sandwich = as.character(packageVersion("sandwich")),
                 script = "tests/reference/rate_models.R",
                 data = paste("poisson*: tests/fixtures/recur.csv aggregated per person,",
                              "years = max(TIME1)/365.25; negative_binomial:",
                              "tests/reference/rate_counts.csv (simulated, seed 20261127);",
                              "negative_binomial_mild: tests/reference/rate_counts_mild.csv",
                              "(simulated, seed 20261213)"))
write_json(out, "tests/reference/rate_models.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
