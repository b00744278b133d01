# An independent check of the split-population (mixture cure) likelihood: the same model
# written directly in R and maximised with optim() (BFGS), SEs from optimHess(), on the
# Rossi data. Logistic incidence (fin + prio); latency log T = b0 + b1 age + sigma W with
# W standard normal (log-normal) or minimum extreme value (Weibull).
#
# Run from the repository root:   Rscript tests/reference/split_population_rossi.R
# Writes tests/reference/split_population_rossi.json (digits = NA).
suppressPackageStartupMessages(library(jsonlite))

rossi <- read.csv("src/rpeval/datasets/data/rossi.csv")
Z <- cbind(1, rossi$fin, rossi$prio)
X <- cbind(1, rossi$age)
y <- log(rossi$week)
d <- rossi$arrest

loglik <- function(theta, dist) {
  g <- theta[1:3]; b <- theta[4:5]; log_sigma <- theta[6]; sigma <- exp(log_sigma)
  p <- plogis(drop(Z %*% g))
  u <- (y - drop(X %*% b)) / sigma
  if (dist == "lognormal") {
    log_f <- dnorm(u, log = TRUE); log_s <- pnorm(u, lower.tail = FALSE, log.p = TRUE)
  } else {
    log_f <- u - exp(u); log_s <- -exp(u)
  }
  sum(ifelse(d == 1, log(p) + log_f - log_sigma - y, log(1 - p + p * exp(log_s))))
}

fit_one <- function(dist) {
  start <- c(0.5, 0, 0, 4, 0, 0)
  fit <- optim(start, function(t) -loglik(t, dist), method = "BFGS",
               control = list(maxit = 5000, reltol = 1e-14))
  fit <- optim(fit$par, function(t) -loglik(t, dist), method = "Nelder-Mead",
               control = list(maxit = 20000, reltol = 1e-15))
  fit <- optim(fit$par, function(t) -loglik(t, dist), method = "BFGS",
               control = list(maxit = 5000, reltol = 1e-15))
  hess <- optimHess(fit$par, function(t) -loglik(t, dist))
  list(theta = fit$par, se = sqrt(diag(solve(hess))), loglik = -fit$value,
       convergence = fit$convergence)
}

out <- list(
  meta = list(R = R.version.string, script = "tests/reference/split_population_rossi.R",
              data = "src/rpeval/datasets/data/rossi.csv",
              parameters = c("incidence (Intercept)", "fin", "prio", "latency (Intercept)",
                             "age", "log(scale)")),
  lognormal = fit_one("lognormal"),
  weibull = fit_one("weibull")
)
write_json(out, "tests/reference/split_population_rossi.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
