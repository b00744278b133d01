# Survey-weighted regression (svyglm, linear and logistic) and a paired before/after change
# on the api data (R survey 4.1). Reference for rpeval.surveys.regression and waves.
# Run from the repository root after surveys_api.R:  Rscript tests/reference/surveys_models.R
suppressMessages({
  library(survey)
  library(jsonlite)
})
out_dir <- "tests/reference"
apistrat <- read.csv(file.path(out_dir, "apistrat.csv"))
apiclus1 <- read.csv(file.path(out_dir, "apiclus1.csv"))
apiclus2 <- read.csv(file.path(out_dir, "apiclus2.csv"))
designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
  clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
)
fit_block <- function(m) {
  s <- summary(m)$coefficients
  ci <- confint(m)
  list(terms = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]),
       statistic = unname(s[, 3]), p = unname(s[, 4]), ci_lower = unname(ci[, 1]),
       ci_upper = unname(ci[, 2]), df_residual = m$df.residual)
}
res <- list()
for (name in names(designs)) {
  d <- designs[[name]]
  r <- list()
  r$linear <- fit_block(svyglm(api00 ~ api99 + meals + stype, design = d))
  r$logistic <- fit_block(svyglm(I(sch.wide == "Yes") ~ meals + api99, design = d,
                                 family = quasibinomial))
  # Paired change on the same schools: api00 - api99
  ch <- svymean(~I(api00 - api99), d)
  r$paired_change <- list(estimate = unname(coef(ch)), se = unname(SE(ch)))
  # ... among the schools still observed after dropping every fifth row (attrition)
  d2 <- d
  keep <- seq_len(nrow(d$variables)) %% 5 != 0
  d2$variables$change <- ifelse(keep, d$variables$api00 - d$variables$api99, NA)
  chk <- svymean(~change, d2, na.rm = TRUE)
  r$paired_change_attrition <- list(estimate = unname(coef(chk)), se = unname(SE(chk)),
                                    n = sum(keep))
  res[[name]] <- r
}
meta <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
             jsonlite = as.character(packageVersion("jsonlite")))
write_json(list(meta = meta, results = res), file.path(out_dir, "surveys_models.json"),
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
