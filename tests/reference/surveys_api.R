# Design-based estimates on the survey package's `api` data (R survey 4.1): the reference
# for rpeval.surveys (SurveyDesign: mean, total, proportion, ratio, quantile, by= domains,
# contrasts between domains, lonely PSUs). Run from the repository root:
#     Rscript tests/reference/surveys_api.R
# Writes tests/reference/api{strat,clus1,clus2,srs}.csv and surveys_api.json.
suppressMessages({
  library(survey)
  library(jsonlite)
})
data(api)
out_dir <- "tests/reference"
keep <- c("cds", "stype", "cname", "dnum", "snum", "pw", "fpc", "api00", "api99",
          "enroll", "api.stu", "meals", "sch.wide", "comp.imp", "awards")
write_api <- function(df, name, extra = character()) {
  cols <- intersect(c(keep, extra), names(df))
  df <- df[, cols]
  for (col in names(df)) if (is.factor(df[[col]])) df[[col]] <- as.character(df[[col]])
  write.csv(df, file.path(out_dir, paste0(name, ".csv")), row.names = FALSE, na = "")
}
write_api(apistrat, "apistrat")
write_api(apiclus1, "apiclus1")
write_api(apiclus2, "apiclus2", c("fpc1", "fpc2"))
write_api(apisrs, "apisrs")

designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
  clus1_nofpc = svydesign(id = ~dnum, weights = ~pw, data = apiclus1),
  clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2),
  srs = svydesign(id = ~1, fpc = ~fpc, data = apisrs)
)

stat <- function(s) {
  list(estimate = unname(coef(s)), se = unname(SE(s)),
       deff = if (is.null(attr(s, "deff"))) NULL else unname(diag(as.matrix(attr(s, "deff")))))
}
ciprop <- function(d, method, level = 0.95) {
  p <- svyciprop(~I(sch.wide == "Yes"), d, method = method, level = level)
  list(estimate = unname(as.numeric(p)), se = unname(sqrt(attr(p, "var")[1, 1])),
       ci = unname(attr(p, "ci")), df = degf(d))
}
quant <- function(d, probs) {
  q <- svyquantile(~api00, d, probs, ci = TRUE, se = TRUE)$api00
  list(probs = probs, estimate = unname(q[, 1]), ci_lower = unname(q[, 2]),
       ci_upper = unname(q[, 3]), se = unname(q[, 4]))
}
byblock <- function(b, deff = FALSE) {
  res <- list(levels = as.character(b[[1]]), estimate = unname(coef(b)), se = unname(SE(b)))
  ci <- confint(b)
  res$ci_lower <- unname(ci[, 1])
  res$ci_upper <- unname(ci[, 2])
  if (deff) res$deff <- unname(deff(b))
  res
}
results <- list()
for (name in names(designs)) {
  d <- designs[[name]]
  r <- list(degf = degf(d), n = nrow(d))
  r$mean <- stat(svymean(~api00 + enroll, d, deff = TRUE, na.rm = TRUE))
  r$mean_api00 <- stat(svymean(~api00, d, deff = TRUE))
  r$mean_ci <- unname(confint(svymean(~api00, d)))
  r$total <- stat(svytotal(~enroll, d, deff = TRUE, na.rm = TRUE))
  r$total_api00 <- stat(svytotal(~api00, d, deff = TRUE))
  r$population_size <- sum(weights(d))
  ra <- svyratio(~api.stu, ~enroll, d, deff = TRUE, na.rm = TRUE)
  r$ratio <- list(estimate = unname(coef(ra)), se = unname(SE(ra)),
                  deff = unname(as.vector(attr(ra, "deff"))))
  r$proportion <- lapply(c(logit = "logit", likelihood = "likelihood", beta = "beta",
                           mean = "mean"), function(m) ciprop(d, m))
  r$proportion_90 <- ciprop(d, "logit", 0.90)
  r$quantile <- quant(d, c(0.1, 0.25, 0.5, 0.9))
  r$by_mean <- byblock(svyby(~api00, ~stype, d, svymean, deff = TRUE), deff = TRUE)
  r$by_total <- byblock(svyby(~enroll, ~stype, d, svytotal, deff = TRUE, na.rm = TRUE),
                        deff = TRUE)
  r$by_ratio <- byblock(svyby(~api.stu, ~stype, d, svyratio, denominator = ~enroll,
                              na.rm = TRUE))
  r$by_proportion <- lapply(c(logit = "logit", beta = "beta", mean = "mean",
                              likelihood = "likelihood"), function(m) {
    b <- svyby(~I(sch.wide == "Yes"), ~stype, d, svyciprop, method = m, vartype = c("se", "ci"))
    list(levels = as.character(b$stype), estimate = unname(b[[2]]), se = unname(b$se),
         ci_lower = unname(b$ci_l), ci_upper = unname(b$ci_u))
  })
  bq <- svyby(~api00, ~stype, d, svyquantile, quantiles = 0.5, ci = TRUE,
              vartype = c("se", "ci"))
  r$by_median <- list(levels = as.character(bq$stype), estimate = unname(bq[[2]]),
                      se = unname(bq[[3]]), ci_lower = unname(bq[[4]]),
                      ci_upper = unname(bq[[5]]))
  # Two-way domains (stype x awards)
  b2 <- svyby(~api00, ~stype + awards, d, svymean)
  r$by_two <- list(stype = as.character(b2$stype), awards = as.character(b2$awards),
                   estimate = unname(coef(b2)), se = unname(SE(b2)))
  # Contrast E - H of domain means with the full covariance: ratios of domain totals
  # from one svyratio(covmat = TRUE) call; svyby's covmat is block-diagonal for
  # linearisation designs (cross-domain covariance set to 0), recorded for comparison.
  vv <- d$variables
  num <- data.frame(nE = vv$api00 * (vv$stype == "E"), nH = vv$api00 * (vv$stype == "H"))
  den <- data.frame(dE = as.numeric(vv$stype == "E"), dH = as.numeric(vv$stype == "H"))
  rr <- svyratio(num, den, d, covmat = TRUE)
  V <- rr$vcov
  est <- coef(rr)
  # order: (nE/dE, nH/dE, nE/dH, nH/dH)
  diffse <- sqrt(V[1, 1] + V[4, 4] - 2 * V[1, 4])
  bb <- svyby(~api00, ~stype, d, svymean, covmat = TRUE)
  cb <- svycontrast(bb, c(E = 1, H = -1, M = 0))
  r$contrast_mean_EH <- list(estimate = unname(est[1] - est[4]), se = diffse,
                             svyby_block_se = unname(SE(cb)))
  tt <- svytotal(~I(enroll * (stype == "E")) + I(enroll * (stype == "H")), d, na.rm = TRUE)
  ct <- svycontrast(tt, c(1, -1))
  r$contrast_total_EH <- list(estimate = unname(coef(ct)), se = unname(SE(ct)))
  results[[name]] <- r
}

# Lonely PSUs: strata = county on apistrat (many counties hold one sampled school).
lonely <- list()
for (rule in c("remove", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  d <- svydesign(id = ~1, strata = ~cname, weights = ~pw, data = apistrat)
  lonely[[rule]] <- list(
    mean = stat(svymean(~api00, d)), total = stat(svytotal(~api00, d)),
    by_mean = byblock(svyby(~api00, ~stype, d, svymean)),
    n_lonely = sum(table(apistrat$cname) == 1))
}
options(survey.lonely.psu = "fail")
lonely$fail_message <- tryCatch({
  svymean(~api00, svydesign(id = ~1, strata = ~cname, weights = ~pw, data = apistrat))
  "no error"
}, error = function(e) conditionMessage(e))

meta <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
             jsonlite = as.character(packageVersion("jsonlite")))
write_json(list(meta = meta, designs = results, lonely = lonely),
           file.path(out_dir, "surveys_api.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
