# Reference values for rpeval.matching.effect(): weighted outcome models (lm for a mean
# difference, logistic glm for risks) with g-computation over the target units and
# delta-method SEs from sandwich::vcovCL (cluster on the matched set, vcovCL's default
# type) and sandwich::vcovHC(type = "HC3"). marginaleffects is not packaged for Debian, so
# the delta method is written out here with the analytic gradient, and the gradient is
# checked against central finite differences.
#
# Data: tests/reference/lalonde.csv (MatchIt's lalonde), outcomes re78 and
# employed = (re78 > 0). Designs:
#   matched    MatchIt 4.7.2's 1:1 nearest-neighbour pairs (id/weights/subclass in
#              matchit_lalonde.json), ATT, cluster = subclass, and HC3
#   ipt_ate    ATE weights 1/ps, 1/(1 - ps) from a glm logit score on all 614 rows, HC3
#   ipt_att    ATT weights 1, ps/(1 - ps), HC3, and cluster on grp = (row - 1) %/% 3
#   small      rows 1, 6, 11, ... (123 rows), ATE weights from their own propensity
#              score (without race: no treated Hispanic man among them), HC3
# Each design has every measure unadjusted and `_adjusted` (see `adjust` below).
# Every glm is run to epsilon = 1e-12 so its bread and hat values (which R takes from the
# iteration before the last) are those at the converged coefficients.
#
# Run from the repository root:   Rscript tests/reference/matching_effect.R
# Writes tests/reference/matching_effect.json.
suppressPackageStartupMessages({
  library(sandwich)
  library(jsonlite)
})

lalonde <- read.csv("tests/reference/lalonde.csv", stringsAsFactors = FALSE)
lalonde$race <- factor(lalonde$race, levels = c("black", "hispan", "white"))
lalonde$employed <- as.numeric(lalonde$re78 > 0)
lalonde$grp <- (seq_len(nrow(lalonde)) - 1) %/% 3
ps_rhs <- "age + educ + race + married + nodegree + re74 + re75"
# adjust= sets. No race in the logistic outcome models: all 11 treated Hispanic men were
# employed in 1978, so treat * race separates (glm never converges with IPT ATE weights).
adjust <- list(mean = ps_rhs, risk = "age + educ + married + nodegree + re74 + re75")
# The small sample has no treated Hispanic man: no race in its propensity score either.
small_ps_rhs <- "age + educ + married + nodegree + re74 + re75"
small_adjust <- list(mean = "age + educ + married + re75",
                     risk = "age + educ + married + re75")
tight <- glm.control(epsilon = 1e-12, maxit = 100)
measures <- c("mean_difference", "risk_difference", "risk_ratio", "odds_ratio")

propensity <- function(data, rhs) {
  fit <- glm(as.formula(paste("treat ~", rhs)), data = data, family = binomial,
             control = tight)
  stopifnot(fit$converged)
  fitted(fit)
}

# The outcome model of effect(): outcome ~ treat, or outcome ~ treat * (adjust).
outcome_fit <- function(data, measure, adjust) {
  response <- if (measure == "mean_difference") "re78" else "employed"
  rhs <- if (is.null(adjust)) "treat" else paste0("treat * (", adjust, ")")
  f <- as.formula(paste(response, "~", rhs))
  if (measure == "mean_difference") {
    lm(f, data = data, weights = w)
  } else {
    # quasibinomial: no warning for non-integer weights; the same coefficients as
    # binomial, and the same sandwich (estfun and bread both scale by the dispersion)
    glm(f, data = data, weights = w, family = quasibinomial(), control = tight)
  }
}

# The g-computation estimate (log scale for ratios) as a function of the coefficients,
# and its analytic gradient.
g_estimate <- function(beta, X1, X0, wf, measure) {
  if (measure == "mean_difference") return(sum(wf * ((X1 - X0) %*% beta)))
  m1 <- sum(wf * plogis(X1 %*% beta))
  m0 <- sum(wf * plogis(X0 %*% beta))
  switch(measure,
         risk_difference = m1 - m0,
         risk_ratio = log(m1 / m0),
         odds_ratio = qlogis(m1) - qlogis(m0))
}
g_gradient <- function(beta, X1, X0, wf, measure) {
  if (measure == "mean_difference") return(colSums(wf * (X1 - X0)))
  p1 <- as.vector(plogis(X1 %*% beta))
  p0 <- as.vector(plogis(X0 %*% beta))
  m1 <- sum(wf * p1)
  m0 <- sum(wf * p0)
  g1 <- colSums(wf * p1 * (1 - p1) * X1)
  g0 <- colSums(wf * p0 * (1 - p0) * X0)
  switch(measure,
         risk_difference = g1 - g0,
         risk_ratio = g1 / m1 - g0 / m0,
         odds_ratio = g1 / (m1 * (1 - m1)) - g0 / (m0 * (1 - m0)))
}
fd_gradient <- function(beta, X1, X0, wf, measure) {
  vapply(seq_along(beta), function(j) {
    h <- 1e-5 / max(1, abs(X1[, j]), abs(X0[, j]))  # a step of 1e-5 in the linear predictor
    up <- beta
    down <- beta
    up[j] <- up[j] + h
    down[j] <- down[j] - h
    (g_estimate(up, X1, X0, wf, measure) - g_estimate(down, X1, X0, wf, measure)) / (2 * h)
  }, numeric(1))
}

# One effect: estimate and delta-method SEs under each covariance in `vcovs`.
effect_block <- function(data, measure, adjust, target, cluster = NULL) {
  fit <- outcome_fit(data, measure, adjust)
  stopifnot(!anyNA(coef(fit)), measure == "mean_difference" || fit$converged)
  beta <- coef(fit)
  tt <- delete.response(terms(fit))
  frame1 <- data[target, ]
  frame0 <- data[target, ]
  frame1$treat <- 1
  frame0$treat <- 0
  X1 <- model.matrix(tt, frame1, xlev = fit$xlevels)
  X0 <- model.matrix(tt, frame0, xlev = fit$xlevels)
  wf <- data$w[target] / sum(data$w[target])
  est <- g_estimate(beta, X1, X0, wf, measure)
  grad <- g_gradient(beta, X1, X0, wf, measure)
  fd <- fd_gradient(beta, X1, X0, wf, measure)
  stopifnot(max(abs(fd - grad)) <= 1e-5 * max(abs(grad)))
  se <- function(v) sqrt(drop(t(grad) %*% v %*% grad))
  hat <- hatvalues(fit)
  out <- list(estimate = est, estimate_scale = if (measure %in% c("risk_ratio",
              "odds_ratio")) "log" else "identity",
              se_hc3 = se(vcovHC(fit, type = "HC3")),
              se_hc0 = se(vcovHC(fit, type = "HC0")),
              se_hc3_fd = sqrt(drop(t(fd) %*% vcovHC(fit, type = "HC3") %*% fd)),
              max_hat = max(hat), n = nrow(data), k = length(beta))
  if (measure != "mean_difference") {
    # what glm's default epsilon = 1e-8 gives (bread and hat values one iteration early)
    loose <- glm(formula(fit), data = data, weights = w, family = quasibinomial())
    loose_grad <- g_gradient(coef(loose), X1, X0, wf, measure)
    out$se_hc3_default_epsilon <- sqrt(drop(t(loose_grad) %*% vcovHC(loose, type = "HC3")
                                            %*% loose_grad))
    bin <- suppressWarnings(glm(formula(fit), data = data, weights = w,
                                family = binomial, control = tight))
    stopifnot(isTRUE(all.equal(vcovHC(bin, type = "HC3"), vcovHC(fit, type = "HC3"),
                               tolerance = 1e-10)))
  }
  if (!is.null(cluster)) {
    vc <- vcovCL(fit, cluster = data[[cluster]])
    out$se_cluster <- se(vc)
    out$se_cluster_hc1 <- se(vcovCL(fit, cluster = data[[cluster]], type = "HC1"))
    out$se_cluster_hc0 <- se(vcovCL(fit, cluster = data[[cluster]], type = "HC0"))
    out$n_clusters <- length(unique(data[[cluster]]))
    if (measure != "mean_difference") {
      stopifnot(isTRUE(all.equal(out$se_cluster, out$se_cluster_hc0, tolerance = 1e-14)))
    } else {
      stopifnot(isTRUE(all.equal(out$se_cluster, out$se_cluster_hc1, tolerance = 1e-14)))
    }
  }
  out
}

design_blocks <- function(data, target, adjust_rhs, cluster = NULL) {
  blocks <- list()
  for (measure in measures) {
    rhs <- adjust_rhs[[if (measure == "mean_difference") "mean" else "risk"]]
    blocks[[measure]] <- effect_block(data, measure, NULL, target, cluster)
    blocks[[paste0(measure, "_adjusted")]] <- effect_block(data, measure, rhs, target,
                                                           cluster)
  }
  blocks
}

# Matched pairs (MatchIt 4.7.2, recorded in matchit_lalonde.json), ATT
nearest <- fromJSON("tests/reference/matchit_lalonde.json")$nearest
stopifnot(identical(nearest$id, lalonde$id))
matched <- lalonde
matched$w <- nearest$weights
matched$subclass <- nearest$subclass
matched <- matched[matched$w > 0, ]
matched_blocks <- design_blocks(matched, matched$treat == 1, adjust, cluster = "subclass")

# IPT weights on all rows
ps <- propensity(lalonde, ps_rhs)
ate <- lalonde
ate$w <- ifelse(ate$treat == 1, 1 / ps, 1 / (1 - ps))
ate_blocks <- design_blocks(ate, rep(TRUE, nrow(ate)), adjust)
att <- lalonde
att$w <- ifelse(att$treat == 1, 1, ps / (1 - ps))
att_blocks <- design_blocks(att, att$treat == 1, adjust, cluster = "grp")

# A small sample: every fifth row, ATE weights from its own propensity score
small <- lalonde[seq(1, nrow(lalonde), by = 5), ]
ps_small <- propensity(small, small_ps_rhs)
small$w <- ifelse(small$treat == 1, 1 / ps_small, 1 / (1 - ps_small))
small_blocks <- design_blocks(small, rep(TRUE, nrow(small)), small_adjust)

out <- list(
  meta = list(
    R = R.version.string,
    sandwich = as.character(packageVersion("sandwich")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/reference/matching_effect.R",
    data = "tests/reference/lalonde.csv",
    outcomes = list(mean_difference = "re78", other = "employed = re78 > 0"),
    propensity = ps_rhs,
    adjust = adjust,
    small_propensity = small_ps_rhs,
    small_adjust = small_adjust,
    small_rows = "rows 1, 6, 11, ... of lalonde.csv (R's seq(1, 614, by = 5))",
    att_cluster = "grp = (row - 1) %/% 3 (row = 1..614 in lalonde.csv order)",
    se = paste("delta method, analytic gradient; se_cluster = vcovCL default type",
               "(HC1 for lm, HC0 for glm), cadjust = TRUE; se_cluster_hc1 /",
               "se_cluster_hc0 force the type; se_hc3 / se_hc0 = vcovHC; se_hc3_fd uses",
               "the finite-difference gradient; se_hc3_default_epsilon refits the glm with",
               "glm.control() defaults")
  ),
  matched = matched_blocks,
  ipt_ate = c(list(weights = unname(ate$w)), ate_blocks),
  ipt_att = c(list(weights = unname(att$w)), att_blocks),
  small = c(list(weights = unname(small$w), id = small$id), small_blocks)
)
write_json(out, "tests/reference/matching_effect.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
