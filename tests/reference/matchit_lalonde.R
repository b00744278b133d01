# Reference values for rpeval.matching on MatchIt's lalonde data.
# Run from the repository root:  Rscript tests/reference/matchit_lalonde.R
# Debian's r-cran-matchit is 4.5.1: use it only for calls without a caliper or
# replacement (the default 1:1 call, exact and Mahalanobis matching, balance tables).
suppressPackageStartupMessages({library(MatchIt); library(sandwich); library(jsonlite)})
data("lalonde", package = "MatchIt")
lalonde$id <- rownames(lalonde)
write.csv(lalonde[, c("id", setdiff(names(lalonde), "id"))], "tests/reference/lalonde.csv",
          row.names = FALSE)
form <- treat ~ age + educ + race + married + nodegree + re74 + re75

balance_table <- function(tab) {
  list(terms = rownames(tab), means_treated = unname(tab[, "Means Treated"]),
       means_control = unname(tab[, "Means Control"]),
       std_mean_diff = unname(tab[, "Std. Mean Diff."]),
       var_ratio = unname(tab[, "Var. Ratio"]), ecdf_mean = unname(tab[, "eCDF Mean"]),
       ecdf_max = unname(tab[, "eCDF Max"]),
       std_pair_dist = if ("Std. Pair Dist." %in% colnames(tab))
         unname(tab[, "Std. Pair Dist."]) else NULL)
}
pairs_of <- function(m) {
  mm <- m$match.matrix
  list(treated = rownames(mm), control = unname(mm[, 1]))
}

m <- matchit(form, data = lalonde)
s <- summary(m, un = TRUE)
glm_fit <- glm(form, data = lalonde, family = binomial)
md <- match.data(m)
fit <- lm(re78 ~ treat, data = md, weights = weights)
vc <- vcovCL(fit, cluster = ~subclass)
fit_adj <- lm(re78 ~ treat + age + educ + race + married + nodegree + re74 + re75,
              data = md, weights = weights)
vc_adj <- vcovCL(fit_adj, cluster = ~subclass)

m_exact <- matchit(treat ~ race + married + nodegree, data = lalonde, method = "exact")
m_maha <- matchit(treat ~ age + educ + re74 + re75, data = lalonde, distance = "mahalanobis")
m_logit <- matchit(form, data = lalonde, distance = "glm", link = "linear.logit")

out <- list(
  meta = list(R = R.version.string, MatchIt = as.character(packageVersion("MatchIt")),
              sandwich = as.character(packageVersion("sandwich")),
              note = "MatchIt 4.5.1 (Debian): no caliper or replacement calls are used"),
  propensity = list(coef = as.list(coef(glm_fit)), distance = unname(m$distance)),
  nearest = list(pairs = pairs_of(m), weights = unname(m$weights),
                 subclass = as.character(m$subclass),
                 nn = list(rows = rownames(s$nn), treated = unname(s$nn[, "Treated"]),
                           control = unname(s$nn[, "Control"])),
                 sum_all = balance_table(s$sum.all),
                 sum_matched = balance_table(s$sum.matched)),
  nearest_logit = list(pairs = pairs_of(m_logit)),
  effect = list(estimate = unname(coef(fit)["treat"]), se = sqrt(vc["treat", "treat"]),
                adjusted_estimate = unname(coef(fit_adj)["treat"]),
                adjusted_se = sqrt(vc_adj["treat", "treat"])),
  exact = list(weights = unname(m_exact$weights), subclass = as.character(m_exact$subclass)),
  mahalanobis = list(pairs = pairs_of(m_maha))
)
write_json(out, "tests/reference/matchit_lalonde.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
