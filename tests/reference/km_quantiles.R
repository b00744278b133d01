# Kaplan-Meier quantiles where the curve sits exactly on the level 1 - p (R survival's
# quantile.survfit), with and without floating-point noise in the level.
#
# quantile.survfit (survival:::findq) compares the curve with p up to
# tol = sqrt(.Machine$double.eps): where 1 - S(t) equals p on a flat stretch the
# quantile is the midpoint of that stretch, and of the stretch's start and the last time
# when the stretch ends the curve. Its first test, `max(y) < min(p)` -> NA, is exact,
# though: when the final level is p up to rounding *below* it, a call with that p alone
# gives NA while a call that also asks for a smaller p gives the midpoint. The median of
# print.survfit / summary()$table (survival:::survmean) follows a third rule: on a final
# flat stretch at 0.5 it is the start of the stretch.
#
# Each data set has `probs` given exactly as 1 - num/den (`num`, `den`: the same double in
# R and Python); `all` is one quantile() call with every prob, `single` one call per
# prob; `surv`, `lower`, `upper` are the curve and its limits as text with 17 digits.
#
# Run from the repository root:   Rscript tests/reference/km_quantiles.R
# Writes tests/reference/km_quantiles.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

cases <- list(
  # the curve ends flat at 9/35 (issue 13): S = 6/7, 18/35, 9/35 at times 1, 6, 9
  flat_end = list(
    data = data.frame(time = c(9, 1, 1, 6, 6, 8, 10), status = c(1, 1, 0, 1, 1, 0, 0)),
    num = c(9, 6, 18, 9, 1, 1, 3, 1),
    den = c(10, 7, 35, 35, 2, 4, 4, 20)),
  # ends flat at exactly 0.5 (no rounding): S = 3/4, 1/2
  half_exact = list(
    data = data.frame(time = 1:4, status = c(1, 1, 0, 0)),
    num = c(9, 3, 1, 1), den = c(10, 4, 2, 4)),
  # ends flat at 1/2 in exact arithmetic, 0.49999999999999989 in floating point
  half_below = list(
    data = data.frame(time = 1:9, status = c(1, 1, 1, 0, 0, 1, 0, 0, 0)),
    num = c(9, 1, 1), den = c(10, 2, 4)),
  # ends flat at 1/2 in exact arithmetic, 0.50000000000000011 in floating point: R's
  # single-prob call quantile(fit, 0.5) is NA, quantile(fit, c(0.1, 0.5)) gives 6
  half_above = list(
    data = data.frame(time = c(4, 5, 6, 4, 5, 7, 7, 2, 5, 6),
                      status = c(1, 1, 0, 1, 1, 0, 0, 1, 0, 0)),
    num = c(9, 1, 3, 1), den = c(10, 2, 10, 4)),
  # a level reached in the middle of the curve, exactly: S = 3/4, 1/2, 1/4, 0
  steps = list(
    data = data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 1, 1)),
    num = c(3, 1, 1, 0, 9), den = c(4, 2, 4, 1, 10))
)

digits17 <- function(v) sprintf("%.17g", v)
quants <- function(fit, probs) {
  q <- quantile(fit, probs = probs)
  list(quantile = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
}
out <- list()
for (name in names(cases)) {
  case <- cases[[name]]
  probs <- 1 - case$num / case$den
  block <- list(time = case$data$time, status = case$data$status, num = case$num,
                den = case$den, probs = probs)
  for (ct in c("log", "log-log", "plain")) {
    fit <- survfit(Surv(time, status) ~ 1, data = case$data, conf.type = ct)
    singles <- lapply(probs, function(p) quants(fit, p))
    block[[gsub("-", "_", ct)]] <- list(
      curve_time = fit$time,
      surv = digits17(fit$surv), lower = digits17(fit$lower), upper = digits17(fit$upper),
      all = quants(fit, probs),
      single = list(quantile = sapply(singles, `[[`, "quantile"),
                    lower = sapply(singles, `[[`, "lower"),
                    upper = sapply(singles, `[[`, "upper")),
      table_median = unname(summary(fit)$table[c("median", "0.95LCL", "0.95UCL")]))
  }
  out[[name]] <- block
}
out <- c(list(meta = list(
  R = R.version.string,
  survival = as.character(packageVersion("survival")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "tests/reference/km_quantiles.R",
  tolerance = sqrt(.Machine$double.eps)
)), out)
write_json(out, "tests/reference/km_quantiles.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
