# Reference values for effect(..., bias_correction=True): Abadie & Imbens' bias-corrected
# matching estimator with their heteroskedasticity-robust variance (Var.calc = 4), from
# R's Matching package (Sekhon; Debian r-cran-matching 4.10-8) on MatchIt's lalonde.
# Matching estimates each unit's outcome variance from its nearest units in the variables
# matched on (here the score: se_matching); rpeval uses units near in the correction's
# covariates Z, so the SEs used by the tests ("se") are Abadie & Imbens' formulas written
# out below from Matching's pairs, with that neighbour rule (the estimate is Matching's,
# checked against the hand computation).
#
# The match is on the logistic propensity score, with replacement (the design Matching
# and Abadie & Imbens have in mind), the bias regression on the propensity covariates.
# Eleven controls share their score with another; to compare pair for pair the score is
# made distinct by adding 1e-7 times the row number (smaller steps still leave Matching
# ties: 199 matches for 185 treated at 1e-9), and Matching's distance tolerance
# and tolerance are set to 0 (by default, 1e-5 and sqrt(eps), distances that close count
# as ties, averaged over, also among the variance's neighbours).
#
# Run from the repository root:   Rscript tests/reference/matching_bias_correction.R
# Writes tests/reference/matching_bias_correction.json.
suppressPackageStartupMessages({
  library(MatchIt)
  library(Matching)
  library(jsonlite)
})

data("lalonde", package = "MatchIt")
ps <- fitted(glm(treat ~ age + educ + race + married + nodegree + re74 + re75,
                 data = lalonde, family = binomial,
                 control = glm.control(epsilon = 1e-14, maxit = 100)))
score <- unname(ps) + 1e-7 * seq_len(nrow(lalonde))
Z <- model.matrix(~ age + educ + race + married + nodegree + re74 + re75, lalonde)[, -1]
employed <- as.numeric(lalonde$re78 > 0)

Zs <- sweep(Z, 2, apply(Z, 2, function(z) sqrt(mean((z - mean(z))^2))), "/")
tr <- lalonde$treat

# sigma^2 of unit i: sample variance of Y_i and its 4 nearest units of the same group
# (squared Euclidean distance on the SD-scaled covariates, ties at the 4th included)
sigma2 <- function(y, metric) {
  sapply(seq_along(y), function(i) {
    same <- setdiff(which(tr == tr[i]), i)
    d <- rowSums((metric[same, , drop = FALSE] -
                    matrix(metric[i, ], length(same), ncol(metric), byrow = TRUE))^2)
    limit <- sort(d)[4]
    var(c(y[i], y[same[d <= limit + 1e-12]]))
  })
}

# Abadie-Imbens by hand from Matching's pairs: regression on the used controls weighted
# by K_j, corrected differences d_i, and both variances with sigma^2 near in Z
by_hand <- function(m, y, estimand) {
  focal <- if (estimand == "ATT") m$index.treated else m$index.control
  other <- if (estimand == "ATT") m$index.control else m$index.treated
  share <- m$weights
  K <- tapply(share, other, sum); K2 <- tapply(share^2, other, sum)
  used <- as.integer(names(K))
  fit <- lm.wfit(cbind(1, Z[used, ]), y[used], as.numeric(K))
  mu <- function(rows) drop(cbind(1, Z[rows, , drop = FALSE]) %*% fit$coefficients)
  imputed <- tapply(share * (y[other] + mu(focal) - mu(other)), focal, sum)
  units <- as.integer(names(imputed))
  d <- if (estimand == "ATT") y[units] - imputed else imputed - y[units]
  est <- mean(d)
  stopifnot(abs(est - m$est[1, 1]) < 1e-8 * (1 + abs(est)))  # Matching's estimate
  s2 <- sigma2(y, Zs)
  N <- length(units)
  list(se_population = sqrt((sum((d - est)^2) + sum((K^2 - K2) * s2[used])) / N^2),
       se_sample = sqrt((sum(s2[units]) + sum(K^2 * s2[used])) / N^2))
}

one <- function(y, M, estimand, sample = FALSE) {
  m <- Match(Y = y, Tr = tr, X = score, Z = Z, M = M, replace = TRUE,
             BiasAdjust = TRUE, Var.calc = 4, estimand = estimand, ties = TRUE,
             distance.tolerance = 0, tolerance = 0, sample = sample)
  hand <- by_hand(m, y, estimand)
  list(estimate = unname(m$est[1, 1]),
       se_matching = unname(m$se),  # sigma^2 from neighbours in the score
       se = if (sample) hand$se_sample else hand$se_population,  # neighbours in Z
       n_focal = length(unique(m$index.treated)),
       focal = unname(m$index.treated), match = unname(m$index.control))
}
out <- list(meta = list(r_version = R.version.string,
                        Matching = as.character(packageVersion("Matching"))),
            score = score)
for (M in 1:2) {
  out[[paste0("att_m", M)]] <- one(lalonde$re78, M, "ATT")
  out[[paste0("att_m", M, "_sample")]] <- one(lalonde$re78, M, "ATT", sample = TRUE)
  out[[paste0("atc_m", M)]] <- one(lalonde$re78, M, "ATC")
  out[[paste0("att_m", M, "_employed")]] <- one(employed, M, "ATT")
}
write_json(out, "tests/reference/matching_bias_correction.json", digits = NA,
           auto_unbox = TRUE, pretty = TRUE, na = "null")
