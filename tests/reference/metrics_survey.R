# Design-based metrics (kinds survey_mean and survey_proportion) on the `api` data shipped
# under tests/reference: R survey 4.1 svymean/svyby/confint and svyciprop(method = "logit")
# on one-stage designs without fpc. Run from the repository root:
#     Rscript tests/reference/metrics_survey.R
# Writes tests/reference/metrics_survey.json.
suppressMessages({
  library(survey)
  library(jsonlite)
})
ref <- "tests/reference"
strat <- read.csv(file.path(ref, "apistrat.csv"), stringsAsFactors = FALSE)
clus1 <- read.csv(file.path(ref, "apiclus1.csv"), stringsAsFactors = FALSE)
designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, data = clus1)
)
row <- function(est, se, ci, df = NA) list(value = est, std_error = se, ci_lower = ci[1],
                                          ci_upper = ci[2], df = df)
out <- list()
for (name in names(designs)) {
  d <- update(designs[[name]], yes = as.numeric(sch.wide == "Yes"))
  m <- svymean(~api00, d)
  res <- list(mean = row(coef(m)[[1]], SE(m)[[1]], confint(m)[1, ]))
  by <- svyby(~api00, ~awards, d, svymean)
  ci <- confint(by)
  res$mean_by_awards <- lapply(seq_len(nrow(by)), function(i)
    c(list(awards = by$awards[i]), row(coef(by)[[i]], SE(by)[[i]], ci[i, ])))
  sub <- subset(d, meals >= 20)
  p <- svyciprop(~yes, sub, method = "logit")
  res$share_meals20 <- row(coef(p)[[1]], SE(p)[[1]], attr(p, "ci"), degf(sub))
  res$share_by_stype <- lapply(sort(unique(d$variables$stype)), function(s) {
    ds <- subset(sub, stype == s)
    ps <- svyciprop(~yes, ds, method = "logit")
    c(list(stype = s), row(coef(ps)[[1]], SE(ps)[[1]], attr(ps, "ci"), degf(ds)))
  })
  out[[name]] <- res
}
out$r_version <- R.version.string
out$survey_version <- as.character(packageVersion("survey"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(ref, "metrics_survey.json"))
