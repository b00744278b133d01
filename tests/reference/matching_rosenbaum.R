# Reference values for rpeval.matching.rosenbaum_bounds, computed from first principles in
# base R (rbounds is not packaged for Debian): pbinom for the McNemar-type bounds,
# psignrank / wilcox.test for the exact signed-rank test at Gamma = 1, brute-force
# enumeration of all 2^n sign patterns for exact signed-rank bounds at Gamma > 1, and the
# normal approximation (mean p * sum(r), variance p (1 - p) * sum(r^2)) on MatchIt's
# lalonde pairs (1:1 nearest neighbour, MatchIt 4.7.2, the same call as matchit_lalonde.R).
#
# Run from the repository root:   Rscript tests/reference/matching_rosenbaum.R
# Writes tests/reference/matching_rosenbaum.json.
suppressPackageStartupMessages({
  library(MatchIt)
  library(jsonlite)
})

gammas <- c(1, 1.5, 2, 3)

# McNemar: P(X >= T), X ~ Binomial(D, G / (1 + G)) (upper) or Binomial(D, 1 / (1 + G)).
mcnemar <- function(t, d) {
  list(favouring = t, discordant = d, gammas = gammas,
       p_upper = pbinom(t - 1, d, gammas / (1 + gammas), lower.tail = FALSE),
       p_lower = pbinom(t - 1, d, 1 / (1 + gammas), lower.tail = FALSE))
}

# Exact bound by enumeration: P(sum r_i B_i >= T), B_i ~ Bernoulli(p).
enumerate_bound <- function(d, p) {
  d <- d[d != 0]
  r <- rank(abs(d))
  t_obs <- sum(r[d > 0])
  signs <- as.matrix(expand.grid(rep(list(0:1), length(d))))
  t_all <- signs %*% r
  prob <- apply(signs, 1, function(b) prod(ifelse(b == 1, p, 1 - p)))
  sum(prob[t_all >= t_obs - 1e-9])
}

normal_bound <- function(d, p) {
  d <- d[d != 0]
  r <- rank(abs(d))
  t_obs <- sum(r[d > 0])
  pnorm((t_obs - p * sum(r)) / sqrt(p * (1 - p) * sum(r^2)), lower.tail = FALSE)
}

no_ties <- c(1.3, -0.4, 2.2, 0.9, 3.1, -1.7, 2.8, 0.5, 1.1, 4.0, -0.2, 2.5)
r1 <- rank(abs(no_ties))
t1 <- sum(r1[no_ties > 0])
with_ties <- c(2, -1, 3, 3, 0, 1, 2, -2, 4, 5, 1)

data("lalonde", package = "MatchIt")
m <- matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, data = lalonde)
md <- match.data(m)
md <- md[order(md$subclass, -md$treat), ]
diff78 <- md$re78[md$treat == 1] - md$re78[md$treat == 0]
employed <- as.integer(md$re78 > 0)
emp_t <- employed[md$treat == 1]
emp_c <- employed[md$treat == 0]

out <- list(
  meta = list(r_version = R.version.string,
              matchit = as.character(packageVersion("MatchIt"))),
  mcnemar = list(mcnemar(8, 10), mcnemar(15, 20), mcnemar(40, 60), mcnemar(0, 5)),
  signed_rank_gamma1 = list(
    d = no_ties, statistic = t1,
    p_psignrank = psignrank(t1 - 1, length(no_ties), lower.tail = FALSE),
    p_wilcox_test = wilcox.test(no_ties, alternative = "greater", exact = TRUE)$p.value),
  signed_rank_exact = list(
    d = with_ties, gammas = gammas,
    p_upper = sapply(gammas, function(g) enumerate_bound(with_ties, g / (1 + g))),
    p_lower = sapply(gammas, function(g) enumerate_bound(with_ties, 1 / (1 + g)))),
  lalonde_pairs = list(
    treated = as.character(rownames(md)[md$treat == 1]),
    control = as.character(rownames(md)[md$treat == 0]),
    gammas = gammas,
    signed_rank_p_upper = sapply(gammas, function(g) normal_bound(diff78, g / (1 + g))),
    signed_rank_p_lower = sapply(gammas, function(g) normal_bound(diff78, 1 / (1 + g))),
    signed_rank_statistic = sum(rank(abs(diff78[diff78 != 0]))[diff78[diff78 != 0] > 0]),
    n_nonzero = sum(diff78 != 0),
    employed = mcnemar(sum(emp_t == 1 & emp_c == 0), sum(emp_t != emp_c)))
)
write_json(out, "tests/reference/matching_rosenbaum.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
