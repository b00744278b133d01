# References for rpeval.metrics.control_chart from R qcc 2.7 (Scrucca), and Laney p'/u'
# charts written out in R from Laney's (2002) definitions, on the data sets that ship
# with qcc (Montgomery's orange-juice cans, circuit boards, dyed cloth, PC manufacturing),
# qcc's viscosity example, the boiler temperatures, and two seeded series.
#
# Run from the repository root (qcc 2.7 in a private library):
#   R_LIBS=<qcc 2.7 library> Rscript tests/reference/control_charts_qcc.R
# Writes tests/reference/control_charts_qcc.json (data included: the tests need no R).
#
# Each chart records the data as plotted, the period labels, `baseline` (the number of
# first periods that estimate the limits; qcc's `data`, the rest is qcc's `newdata`; null
# when all periods do), qcc's center, std.dev (qcc's per-unit sigma: sqrt(p(1-p)) for p,
# sqrt(u) for u, sqrt(c) for c, MR/1.128 for xbar.one), LCL and UCL for every period, the
# periods beyond the limits (qcc's beyond.limits) and qcc's violating runs for
# run.length 7 (qcc's default), 8 and 9.
suppressPackageStartupMessages({
  library(jsonlite)
  library(qcc)
})
stopifnot(packageVersion("qcc") == "2.7")

expand <- function(v, n) rep_len(as.numeric(v), n)

one_chart <- function(name, type, data, sizes = NULL, baseline = NULL, labels = NULL,
                      description = "") {
  n <- length(data)
  if (is.null(labels)) labels <- seq_len(n)
  if (is.null(sizes)) sizes <- rep(1, n)
  use <- if (is.null(baseline)) seq_len(n) else seq_len(baseline)
  args <- list(data = data[use], type = type, plot = FALSE, labels = labels[use])
  if (type %in% c("p", "np", "u", "c")) args$sizes <- sizes[use]
  if (!is.null(baseline)) {
    rest <- setdiff(seq_len(n), use)
    args$newdata <- data[rest]
    args$newlabels <- labels[rest]
    if (type %in% c("p", "np", "u", "c")) args$newsizes <- sizes[rest]
  }
  q <- do.call(qcc, args)
  runs <- function(len) I(labels[sort(violating.runs(q, run.length = len))])
  record <- list(
    name = name, qcc_type = type, description = description,
    period = I(labels), baseline = if (is.null(baseline)) NA else baseline,
    statistic = unname(c(q$statistics, q$newstats)),
    center = unname(q$center), std_dev = unname(q$std.dev),
    lcl = I(expand(q$limits[, 1], n)), ucl = I(expand(q$limits[, 2], n)),
    beyond_limits = I(labels[sort(beyond.limits(q))]),
    runs_7 = runs(7), runs_8 = runs(8), runs_9 = runs(9)
  )
  if (type == "xbar.one") {
    record$value <- as.numeric(data)
  } else {
    record$numerator <- as.numeric(data)
    record$denominator <- as.numeric(sizes)
  }
  record
}

# Laney (2002): z_i = (p_i - pbar)/sigma_i with the binomial (p') or Poisson (u') sigma,
# sigma_z = mean moving range of the baseline z's / 1.128 (here from qcc's xbar.one on
# the baseline z's, whose std.dev is exactly that), limits pbar +- 3 sigma_i sigma_z,
# truncated to [0, 1] (p') or at 0 (u').
laney <- function(name, x, n, proportion, baseline = NULL, description = "") {
  m <- length(x)
  use <- if (is.null(baseline)) seq_len(m) else seq_len(baseline)
  center <- sum(x[use]) / sum(n[use])
  sigma <- if (proportion) sqrt(center * (1 - center) / n) else sqrt(center / n)
  z <- (x / n - center) / sigma
  moving <- mean(abs(diff(z[use])))
  zq <- qcc(z[use], type = "xbar.one", plot = FALSE)
  sigma_z <- moving / 1.128
  stopifnot(abs(zq$std.dev - sigma_z) < 1e-12)
  lcl <- pmax(center - 3 * sigma * sigma_z, 0)
  ucl <- center + 3 * sigma * sigma_z
  if (proportion) ucl <- pmin(ucl, 1)
  p <- x / n
  list(
    name = name, kind = if (proportion) "laney_p" else "laney_u",
    description = description, period = seq_len(m),
    baseline = if (is.null(baseline)) NA else baseline,
    numerator = as.numeric(x), denominator = as.numeric(n),
    center = center, sigma_z = sigma_z, mean_moving_range_z = moving,
    sigma = sigma * sigma_z, z = z, lcl = lcl, ucl = ucl,
    beyond_limits = I(which(p > ucl | p < lcl))
  )
}

data(orangejuice, orangejuice2, circuit, dyedcloth, pcmanufact, boiler, package = "qcc")
oj <- orangejuice
oj2 <- orangejuice2
trial <- which(oj$trial)
inc <- setdiff(trial, c(15, 23))
ctrial <- which(circuit$trial)
cinc <- setdiff(ctrial, c(6, 20))
later <- which(!circuit$trial)

# A p chart with varying sample sizes (qcc ships none): 25 weeks, 60-180 cases a week,
# 12% with a shift to 22% in the last five weeks.
set.seed(20261203)
vary_n <- sample(60:180, 25, replace = TRUE)
vary_x <- rbinom(25, vary_n, rep(c(0.12, 0.22), c(20, 5)))

# Over-dispersed series with large denominators for the Laney charts (p' with a shift
# from 12% to 17% in the last three periods).
big_n <- sample(8000:16000, 30, replace = TRUE)
big_x <- rbinom(30, big_n, c(rbeta(27, 120, 880), rbeta(3, 170, 830)))
exposure <- round(runif(24, 900, 1500), 1)
events <- rpois(24, exposure * rgamma(24, shape = 40, rate = 40 / 0.05))

# Montgomery's viscosity example in ?qcc (individuals).
viscosity <- c(33.75, 33.05, 34, 33.81, 33.46, 34.02, 33.68, 33.27, 33.49, 33.20,
               33.62, 33.00, 33.54, 33.12, 33.84)

charts <- list(
  one_chart("orangejuice_trial_p", "p", oj$D[trial], oj$size[trial],
            description = "orangejuice samples 1-30 (trial), p chart"),
  one_chart("orangejuice_p_newdata", "p", oj$D, oj$size, baseline = 30,
            description = "orangejuice: limits from samples 1-30, applied to 31-54"),
  one_chart("orangejuice_revised_p_newdata", "p", oj$D[c(inc, which(!oj$trial))],
            oj$size[c(inc, which(!oj$trial))], baseline = length(inc),
            labels = c(inc, which(!oj$trial)),
            description = "orangejuice without samples 15 and 23 (?qcc): revised limits, then 31-54"),
  one_chart("orangejuice2_p_newdata", "p", oj2$D, oj2$size, baseline = sum(oj2$trial),
            labels = oj2$sample,
            description = "orangejuice2: limits from samples 31-54, applied to 55-94"),
  one_chart("varying_sizes_p", "p", vary_x, vary_n,
            description = "seeded weekly series, sizes 60-180, shift in the last 5 weeks"),
  one_chart("varying_sizes_p_baseline", "p", vary_x, vary_n, baseline = 15,
            description = "the same, limits from the first 15 weeks"),
  one_chart("orangejuice_trial_np", "np", oj$D[trial], oj$size[trial],
            description = "np chart of the trial samples (rpeval has no np kind: n x p chart)"),
  one_chart("dyedcloth_u", "u", dyedcloth$x, dyedcloth$size,
            description = "dyedcloth: nonconformities per 50 m2, varying inspected units"),
  one_chart("dyedcloth_u_newdata", "u", dyedcloth$x, dyedcloth$size, baseline = 6,
            description = "dyedcloth, limits from the first 6 rolls"),
  one_chart("pcmanufact_u", "u", pcmanufact$x, pcmanufact$size,
            description = "pcmanufact: nonconformities per computer, 5 per sample"),
  one_chart("circuit_u_newdata", "u", circuit$x[c(cinc, later)], circuit$size[c(cinc, later)],
            baseline = length(cinc), labels = c(cinc, later),
            description = "circuit as a u chart (?qcc): samples 1-26 without 6 and 20, then 27-46"),
  one_chart("circuit_trial_c", "c", circuit$x[ctrial], circuit$size[ctrial],
            description = "circuit samples 1-26 (trial), c chart"),
  one_chart("circuit_c_newdata", "c", circuit$x[c(cinc, later)], circuit$size[c(cinc, later)],
            baseline = length(cinc), labels = c(cinc, later),
            description = "circuit without samples 6 and 20 (?qcc), then 27-46"),
  one_chart("viscosity_xbar_one", "xbar.one", viscosity,
            description = "viscosity (Montgomery, in ?qcc), individuals with MR sigma"),
  one_chart("viscosity_xbar_one_newdata", "xbar.one", viscosity, baseline = 10,
            description = "viscosity, limits from the first 10"),
  one_chart("boiler_t1_xbar_one", "xbar.one", boiler$t1,
            description = "boiler temperature t1 as individuals")
)

laney_charts <- list(
  laney("big_p_prime", big_x, big_n, TRUE,
        description = "seeded beta-binomial series, n 8000-16000"),
  laney("big_p_prime_baseline", big_x, big_n, TRUE, baseline = 20,
        description = "the same, limits from the first 20"),
  laney("orangejuice_trial_p_prime", oj$D[trial], oj$size[trial], TRUE,
        description = "orangejuice samples 1-30: under-dispersed, sigma_z < 1"),
  laney("dyedcloth_u_prime", dyedcloth$x, dyedcloth$size, FALSE,
        description = "dyedcloth as a u' chart"),
  laney("rate_u_prime", events, exposure, FALSE,
        description = "seeded gamma-Poisson events per exposure 900-1500"),
  laney("rate_u_prime_baseline", events, exposure, FALSE, baseline = 12,
        description = "the same, limits from the first 12")
)

out <- list(
  meta = list(
    R = R.version.string,
    qcc = as.character(packageVersion("qcc")),
    jsonlite = as.character(packageVersion("jsonlite")),
    nsigmas = 3, d2 = qcc.options("exp.R.unscaled")[2]
  ),
  charts = charts,
  laney = laney_charts
)
write_json(out, "tests/reference/control_charts_qcc.json",
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
