# Reference values for rpeval.qualitative from R irr 0.84.1 (kripp.alpha, kappa2,
# kappam.fleiss, agree). Run from tests/reference/ with irr on the library path:
#   R_LIBS=<library holding irr> Rscript qualitative_irr.R
# Writes qualitative_irr.json and the data it used (qualitative_ratings.csv).
suppressPackageStartupMessages(library(irr))
library(jsonlite)

# Krippendorff (2011), example C: 4 coders x 12 units with missing values (coders in rows)
kc <- matrix(c(1,1,NA,1, 2,2,3,2, 3,3,3,3, 3,3,3,3, 2,2,2,2, 1,2,3,4, 4,4,4,4,
               1,1,2,1, 2,2,2,2, NA,5,5,5, NA,NA,1,1, NA,3,NA,NA), nrow = 4)

# Simulated ratings: 60 units, 4 coders, ordinal 1..5 around a true score; 10% missing
set.seed(20261203)
truth <- sample(1:5, 60, replace = TRUE)
ratings <- sapply(1:4, function(j) pmin(5, pmax(1, truth + sample(c(-1, 0, 0, 0, 1), 60, TRUE))))
colnames(ratings) <- c("ann", "bob", "cat", "dan")
complete <- ratings
ratings[sample(length(ratings), 24)] <- NA
# a presence code: 0/1 from a 30% prevalence, each coder misses or adds 10%
present <- rbinom(80, 1, 0.3)
binary <- sapply(1:3, function(j) ifelse(runif(80) < 0.1, 1 - present, present))
colnames(binary) <- c("ann", "bob", "cat")
write.csv(data.frame(unit = 1:60, ratings), "qualitative_ratings.csv", row.names = FALSE)
write.csv(data.frame(unit = 1:60, complete), "qualitative_ratings_complete.csv", row.names = FALSE)
write.csv(data.frame(unit = 1:80, binary), "qualitative_binary.csv", row.names = FALSE)

alpha <- function(x, m) kripp.alpha(t(x), m)$value
k2 <- function(x, w) { r <- kappa2(x, w); list(value = r$value, z = r$statistic, p = r$p.value) }
fl <- function(x) { r <- kappam.fleiss(x); list(value = r$value, z = r$statistic, p = r$p.value) }
out <- list(
  irr_version = as.character(packageVersion("irr")),
  krippendorff_c = lapply(setNames(nm = c("nominal", "ordinal", "interval", "ratio")),
                          function(m) kripp.alpha(kc, m)$value),
  alpha_missing = lapply(setNames(nm = c("nominal", "ordinal", "interval", "ratio")),
                         function(m) alpha(ratings, m)),
  alpha_two_coders = lapply(setNames(nm = c("nominal", "ordinal", "interval", "ratio")),
                            function(m) alpha(complete[, 1:2], m)),
  alpha_complete_four = lapply(setNames(nm = c("nominal", "interval")),
                               function(m) alpha(complete, m)),
  kappa2 = list(unweighted = k2(complete[, 1:2], "unweighted"),
                equal = k2(complete[, 1:2], "equal"),
                squared = k2(complete[, 1:2], "squared"),
                binary = k2(binary[, 1:2], "unweighted")),
  fleiss = list(ordinal_as_nominal = fl(complete), binary = fl(binary)),
  agree = list(complete = agree(complete)$value / 100, binary = agree(binary)$value / 100)
)
write_json(out, "qualitative_irr.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
