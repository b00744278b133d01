# Reference values for effect()'s stacked M-estimation sandwich on a WeightResult
# (se = "sandwich"): the weights' estimating equations (logistic or probit propensity
# score; entropy balancing's dual, Zhao & Percival 2017) stacked with the weighted outcome
# model's score and the two weighted mean predictions over the target units.
#
# Written out in base R, independently of rpeval's analytic derivatives: every
# parameter is solved for (glm, lm, Newton on the entropy dual), the estimating
# functions psi_i(theta) are coded as functions of the whole parameter vector, and the
# bread is their numerical Jacobian (numDeriv::jacobian, Richardson extrapolation):
#   V = A^-1 B A^-T,  A = d/dtheta sum_i psi_i,  B = sum_i psi_i psi_i'
# as R's geex package does (geex is not packaged for Debian). The SE of the effect
# g(m1, m0) (difference, or log ratio) is the delta method on V.
#
# Run from the repository root:   Rscript tests/reference/matching_sandwich.R
# Writes tests/reference/matching_sandwich.json.
suppressPackageStartupMessages({
  library(MatchIt)
  library(numDeriv)
  library(jsonlite)
})

data("lalonde", package = "MatchIt")
lalonde$employed <- as.numeric(lalonde$re78 > 0)
ps_formula <- ~ age + educ + race + married + nodegree + re74 + re75
Xps <- model.matrix(ps_formula, lalonde)
t <- lalonde$treat
n <- nrow(lalonde)
adjust <- list(mean = ~ age + educ + race + married + nodegree + re74 + re75,
               risk = ~ age + educ + married + nodegree + re74 + re75)

# ---- weights as functions of their parameters -------------------------------------
ipw_from_score <- function(e, estimand) {
  switch(estimand,
         ATE = ifelse(t == 1, 1 / e, 1 / (1 - e)),
         ATT = ifelse(t == 1, 1, e / (1 - e)),
         ATC = ifelse(t == 1, (1 - e) / e, 1),
         ATO = ifelse(t == 1, 1 - e, e))
}
truncate_weights <- function(w, q, inside) {
  for (g in 0:1) {
    rows <- which(t == g & inside)
    cap <- quantile(w[rows], q, type = 7, names = FALSE)  # numpy's linear rule
    w[rows] <- pmin(w[rows], cap)
  }
  w
}

ipw_model <- function(estimand, link = "logit", trim = NULL, truncate = NULL,
                      stabilize = FALSE) {
  fit <- glm(t ~ Xps - 1, family = binomial(link = link),
             control = glm.control(epsilon = 1e-14, maxit = 100))
  e_hat <- fitted(fit)
  inside <- if (is.null(trim)) rep(TRUE, n) else (e_hat >= trim & e_hat <= 1 - trim)
  inv <- if (link == "logit") plogis else pnorm
  dens <- if (link == "logit") dlogis else dnorm
  p <- ncol(Xps)
  list(
    start = c(coef(fit), if (stabilize) mean(t[inside])),
    inside = inside,
    psi = function(nu) {
      eta <- drop(Xps %*% nu[1:p])
      e <- inv(eta)
      s <- (t - e) * dens(eta) / (e * (1 - e))
      out <- Xps * s
      if (stabilize) out <- cbind(out, ifelse(inside, t - nu[p + 1], 0))
      out
    },
    weights = function(nu) {
      w <- ipw_from_score(inv(drop(Xps %*% nu[1:p])), estimand)
      if (!is.null(truncate)) w <- truncate_weights(w, truncate, inside)
      if (stabilize) w <- w * ifelse(t == 1, nu[p + 1], 1 - nu[p + 1])
      ifelse(inside, w, 0)
    }
  )
}

solve_dual <- function(X, target) {
  # entropy balancing: lambda minimising log sum exp((x - target)' lambda), by Newton
  s <- apply(X, 2, sd)
  Z <- sweep(sweep(X, 2, target), 2, s, "/")
  lam <- rep(0, ncol(X))
  for (it in 1:100) {
    u <- exp(drop(Z %*% lam)); w <- u / sum(u)
    g <- colSums(Z * w)
    if (max(abs(g)) < 1e-13) break
    H <- crossprod(Z * sqrt(w)) - tcrossprod(g)
    lam <- lam - solve(H, g)
  }
  lam / s
}

entropy_model <- function(estimand) {
  X <- model.matrix(ps_formula, lalonde)[, -1]
  k <- ncol(X)
  target <- switch(estimand, ATT = t == 1, ATE = rep(TRUE, n))
  groups <- switch(estimand, ATT = list(t == 0), ATE = list(t == 1, t == 0))
  mu <- colMeans(X[target, ])
  start <- mu
  for (g in groups) {
    lam <- solve_dual(X[g, ], mu)
    u <- exp(drop(sweep(X[g, ], 2, mu) %*% lam))
    start <- c(start, lam, mean(u))
  }
  unpack <- function(nu, j) {  # lambda and c of group j
    at <- k + (j - 1) * (k + 1)
    list(lam = nu[at + 1:k], c = nu[at + k + 1])
  }
  list(
    start = start,
    inside = rep(TRUE, n),
    psi = function(nu) {
      mu <- nu[1:k]
      D <- sweep(X, 2, mu)
      out <- D * target
      for (j in seq_along(groups)) {
        g <- groups[[j]]; par <- unpack(nu, j)
        u <- exp(drop(D %*% par$lam))
        out <- cbind(out, D * u * g, (u - par$c) * g)
      }
      out
    },
    weights = function(nu) {
      D <- sweep(X, 2, nu[1:k])
      w <- rep(1, n)
      for (j in seq_along(groups)) {
        g <- groups[[j]]; par <- unpack(nu, j)
        w[g] <- exp(drop(D[g, ] %*% par$lam)) / par$c
      }
      w
    }
  )
}

# ---- the stacked system ---------------------------------------------------------
effect_case <- function(model, estimand, outcome, measure, covariates = NULL) {
  y <- lalonde[[outcome]]
  linear <- measure == "mean_difference"
  nu <- model$start
  q <- length(nu)
  w <- model$weights(nu)
  inside <- model$inside
  rhs <- if (is.null(covariates)) ~ treat else
    update(covariates, ~ treat * (.))
  X <- model.matrix(rhs, lalonde)
  X1 <- model.matrix(rhs, transform(lalonde, treat = 1))
  X0 <- model.matrix(rhs, transform(lalonde, treat = 0))
  target <- switch(estimand, ATT = t == 1, ATC = t == 0, rep(TRUE, n)) & inside
  fit <- if (linear) lm.wfit(X[inside, ], y[inside], w[inside]) else
    glm.fit(X[inside, ], y[inside], weights = w[inside], family = quasibinomial(),
            control = glm.control(epsilon = 1e-14, maxit = 100))
  beta <- fit$coefficients
  h <- if (linear) identity else plogis
  m1 <- sum(w[target] * h(X1[target, ] %*% beta)) / sum(w[target])
  m0 <- sum(w[target] * h(X0[target, ] %*% beta)) / sum(w[target])
  theta <- c(nu, beta, m1, m0)
  k <- length(beta)
  psi <- function(theta) {
    nu <- theta[1:q]; b <- theta[q + 1:k]; m <- theta[q + k + 1:2]
    w <- model$weights(nu)
    v <- ifelse(target, w, 0)
    cbind(model$psi(nu),
          X * (w * (y - drop(h(X %*% b)))),
          v * (drop(h(X1 %*% b)) - m[1]),
          v * (drop(h(X0 %*% b)) - m[2]))
  }
  at <- psi(theta)
  stopifnot(max(abs(colSums(at)) / (1 + colSums(abs(at)))) < 1e-8)  # theta solves them
  A <- jacobian(function(th) colSums(psi(th)), theta)
  B <- crossprod(at)
  Ainv <- solve(A, tol = 0)  # badly scaled (re74 in dollars), not singular
  V <- Ainv %*% B %*% t(Ainv)
  grad <- switch(measure,
                 mean_difference = c(1, -1),
                 risk_difference = c(1, -1),
                 risk_ratio = c(1 / m1, -1 / m0))
  est <- switch(measure, risk_ratio = log(m1 / m0), m1 - m0)
  idx <- q + k + 1:2
  # the same system with the weights taken as known (no weighting equations)
  known <- function(theta) psi(c(nu, theta))[, -(1:q)]
  A_known <- jacobian(function(th) colSums(known(th)), theta[-(1:q)])
  Ak_inv <- solve(A_known, tol = 0)
  V_known <- Ak_inv %*% crossprod(known(theta[-(1:q)])) %*% t(Ak_inv)
  list(estimate = est,
       se_sandwich = sqrt(drop(grad %*% V[idx, idx] %*% grad)),
       se_known_weights = sqrt(drop(grad %*% V_known[k + 1:2, k + 1:2] %*% grad)),
       n = sum(inside))
}

cases <- list(
  ipw_att = list(ipw_model("ATT"), "ATT"),
  ipw_ate = list(ipw_model("ATE"), "ATE"),
  ipw_atc = list(ipw_model("ATC"), "ATC"),
  ipw_ato = list(ipw_model("ATO"), "ATO"),
  ipw_att_probit = list(ipw_model("ATT", link = "probit"), "ATT"),
  ipw_ate_trim = list(ipw_model("ATE", trim = 0.05), "ATE"),
  ipw_ate_truncate_stabilize = list(ipw_model("ATE", truncate = 0.95, stabilize = TRUE), "ATE"),
  entropy_att = list(entropy_model("ATT"), "ATT"),
  entropy_ate = list(entropy_model("ATE"), "ATE")
)
out <- list(meta = list(r_version = R.version.string,
                        numDeriv = as.character(packageVersion("numDeriv")),
                        MatchIt = as.character(packageVersion("MatchIt"))))
for (name in names(cases)) {
  model <- cases[[name]][[1]]; estimand <- cases[[name]][[2]]
  out[[name]] <- list(
    weights = model$weights(model$start)[model$inside],
    mean_difference = effect_case(model, estimand, "re78", "mean_difference"),
    mean_difference_adjusted = effect_case(model, estimand, "re78", "mean_difference",
                                           adjust$mean),
    risk_ratio = effect_case(model, estimand, "employed", "risk_ratio"),
    risk_ratio_adjusted = effect_case(model, estimand, "employed", "risk_ratio",
                                      adjust$risk)
  )
}
write_json(out, "tests/reference/matching_sandwich.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
