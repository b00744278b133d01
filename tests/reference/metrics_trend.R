# References for rpeval.metrics.trend: Cochran-Armitage (prop.trend.test) and Poisson
# regression on time with log exposure offset and HC0 sandwich SEs (sandwich::vcovHC).
# Run: Rscript tests/reference/metrics_trend.R > tests/reference/metrics_trend.json
suppressPackageStartupMessages({library(jsonlite); library(sandwich)})
x <- c(31, 28, 35, 40, 33, 45, 52, 38, 49, 55, 51, 60)
n <- c(120, 110, 118, 125, 101, 130, 140, 112, 126, 131, 122, 135)
t <- seq_along(x) - 1
ca <- prop.trend.test(x, n, score = t)
fit <- glm(x ~ t, family = poisson, offset = log(n))
se <- sqrt(diag(vcovHC(fit, type = "HC0")))
counts <- c(14, 9, 17, 21, 11, 25, 30, 12, 28, 33, 26, 40)
exposure <- c(10.2, 9.8, 11.1, 10.5, 9.9, 10.7, 11.4, 10.1, 10.8, 11.0, 10.4, 11.3)
fit2 <- glm(counts ~ t, family = poisson, offset = log(exposure))
se2 <- sqrt(diag(vcovHC(fit2, type = "HC0")))
cat(toJSON(list(
  R = R.version.string, sandwich = as.character(packageVersion("sandwich")),
  x = x, n = n,
  cochran_armitage_z = sqrt(unname(ca$statistic)), cochran_armitage_p = ca$p.value,
  poisson_prop_slope = unname(coef(fit)[2]), poisson_prop_se = unname(se[2]),
  counts = counts, exposure = exposure,
  poisson_rate_slope = unname(coef(fit2)[2]), poisson_rate_se = unname(se2[2])
), digits = NA, auto_unbox = TRUE, pretty = TRUE))
