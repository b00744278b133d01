# Reference values for rpeval.matching on MatchIt's `lalonde` data (Dehejia-Wahba NSW
# treated men, 185, and a 429-unit comparison sample; MatchIt labels its rows PSID*).
#
# Run from the repository root with MatchIt 4.7.2 on the library path (see README.md):
#   R_LIBS=<library holding MatchIt 4.7.2> Rscript tests/reference/matchit_lalonde.R
# Writes tests/reference/lalonde.csv (the data, row names as `id`) and
# tests/reference/matchit_lalonde.json (digits = NA, NA as null). Pair identities for
# every nearest-neighbour option are in matchit_pairs.R.
suppressPackageStartupMessages({
  library(MatchIt)
  library(sandwich)
  library(jsonlite)
})
stopifnot(packageVersion("MatchIt") >= "4.7.2")

data("lalonde", package = "MatchIt")
lalonde$id <- rownames(lalonde)                     # "NSW1".., "PSID1"..
write.csv(lalonde[, c("id", setdiff(names(lalonde), "id"))], "tests/reference/lalonde.csv",
          row.names = FALSE)
form <- treat ~ age + educ + race + married + nodegree + re74 + re75

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

# A summary.matchit balance table, one vector per column, rows named by `terms`
# (R's model-matrix names: raceblack, racehispan, racewhite). NA (var ratio of a binary
# covariate) is written as null.
balance_table <- function(tab) {
  col <- function(name) if (name %in% colnames(tab)) unname(tab[, name]) else NULL
  list(terms = rownames(tab),
       means_treated = col("Means Treated"), means_control = col("Means Control"),
       std_mean_diff = col("Std. Mean Diff."), var_ratio = col("Var. Ratio"),
       ecdf_mean = col("eCDF Mean"), ecdf_max = col("eCDF Max"),
       std_pair_dist = col("Std. Pair Dist."))
}

# The sample-size table (rows All (ESS), All, Matched (ESS), Matched, Unmatched,
# Discarded; columns Control, Treated).
nn_table <- function(nn) {
  list(rows = rownames(nn), control = unname(nn[, "Control"]),
       treated = unname(nn[, "Treated"]))
}

# match.matrix as parallel vectors: treated id -> control id (k = 1).
pairs_of <- function(m) {
  mm <- m$match.matrix
  list(treated = rownames(mm), control = unname(mm[, 1]))
}

# Weights and subclasses by id (same order as lalonde.csv); unmatched subclass is null.
assignment <- function(m) {
  list(id = names(m$weights), weights = unname(m$weights),
       subclass = as.character(m$subclass))
}

# Coefficient table of an lm with a given covariance matrix.
coef_table <- function(fit, vcov) {
  list(terms = names(coef(fit)), estimate = unname(coef(fit)),
       se = unname(sqrt(diag(vcov))))
}

# ---------------------------------------------------------------------------------------
# 1:1 nearest neighbour on the logistic propensity score (MatchIt defaults: probability
# scale, no replacement, no caliper, m.order = "largest")
# ---------------------------------------------------------------------------------------
m <- matchit(form, data = lalonde)
s <- summary(m, un = TRUE)
glm_fit <- glm(form, data = lalonde, family = binomial)
stopifnot(isTRUE(all.equal(unname(fitted(glm_fit)), unname(m$distance))))

# Effect on the matched data: weighted lm, cluster-robust SE on the pair (subclass).
# sandwich::vcovCL defaults: type = "HC1", cadjust = TRUE (G / (G - 1)).
md <- match.data(m)
fit <- lm(re78 ~ treat, data = md, weights = weights)
vc <- vcovCL(fit, cluster = ~subclass)
vc0 <- vcovCL(fit, cluster = ~subclass, type = "HC0")
fit_adj <- lm(re78 ~ treat + age + educ + race + married + nodegree + re74 + re75,
              data = md, weights = weights)
vc_adj <- vcovCL(fit_adj, cluster = ~subclass)

# Same on the full (unmatched) data, plain OLS SEs.
full_naive <- lm(re78 ~ treat, data = lalonde)
full_adj <- lm(re78 ~ treat + age + educ + race + married + nodegree + re74 + re75,
               data = lalonde)

# Other designs
m_logit <- matchit(form, data = lalonde, distance = "glm", link = "linear.logit")
m_exact <- matchit(treat ~ race + married + nodegree, data = lalonde, method = "exact")
m_maha <- matchit(treat ~ age + educ + re74 + re75, data = lalonde,
                  distance = "mahalanobis")
s_exact <- summary(m_exact, un = FALSE)
s_maha <- summary(m_maha, un = FALSE)

# ---------------------------------------------------------------------------------------
out <- list(
  meta = list(
    R = R.version.string,
    R_version = paste(R.version$major, R.version$minor, sep = "."),
    MatchIt = as.character(packageVersion("MatchIt")),
    sandwich = as.character(packageVersion("sandwich")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/reference/matchit_lalonde.R",
    data = "tests/reference/lalonde.csv",
    note = "MatchIt 4.7.2: the nearest-neighbour balance equals its vignette's",
    formula = "treat ~ age + educ + race + married + nodegree + re74 + re75",
    vcovCL = "sandwich::vcovCL(fit, cluster = ~subclass): type HC1, cadjust = TRUE"
  ),
  propensity = list(
    coef = as.list(coef(glm_fit)),                   # named: (Intercept), age, ...
    se = as.list(sqrt(diag(vcov(glm_fit)))),
    id = rownames(lalonde),
    distance = unname(m$distance),                   # P(treat = 1 | x), rows as csv
    linear_predictor = unname(predict(glm_fit, type = "link"))
  ),
  nearest = c(
    list(pairs = pairs_of(m)),
    assignment(m),
    list(nn = nn_table(s$nn),
         sum_all = balance_table(s$sum.all),
         sum_matched = balance_table(s$sum.matched))
  ),
  nearest_logit = list(pairs = pairs_of(m_logit)),
  effect = list(
    estimate = unname(coef(fit)["treat"]), se = sqrt(vc["treat", "treat"]),
    se_hc0 = sqrt(vc0["treat", "treat"]),
    n_clusters = length(unique(md$subclass)), n = nrow(md),
    adjusted_estimate = unname(coef(fit_adj)["treat"]),
    adjusted_se = sqrt(vc_adj["treat", "treat"]),
    table = coef_table(fit, vc), adjusted_table = coef_table(fit_adj, vc_adj)
  ),
  full_sample = list(
    naive_estimate = unname(coef(full_naive)["treat"]),
    naive_se = unname(sqrt(vcov(full_naive)["treat", "treat"])),
    adjusted_estimate = unname(coef(full_adj)["treat"]),
    adjusted_se = unname(sqrt(vcov(full_adj)["treat", "treat"]))
  ),
  exact = c(assignment(m_exact), list(nn = nn_table(s_exact$nn))),
  mahalanobis = c(list(pairs = pairs_of(m_maha)), assignment(m_maha),
                  list(nn = nn_table(s_maha$nn),
                       sum_matched = balance_table(s_maha$sum.matched)))
)

write_json(out, "tests/reference/matchit_lalonde.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
