# survival 3.5's finegray() puts case weights on the wrong rows when strata() is used.
#
# Inside finegray(), each stratum is expanded on its own (`keep <- istrat == i`) and the
# expanded rows are indexed by `split$row`, a row number *within the stratum*; the weights
# are then taken as `user.weights[split$row]`, i.e. by row number in the whole data, where
# `user.weights[keep][split$row]` was meant: the k-th person of a stratum gets the weight
# of the k-th row of the whole data. Without strata the two coincide; with strata only
# people who happen to be the k-th row of both keep their own weight.
#
# This script shows it three ways on tests/reference/competing_data.csv (written by
# competing_risks.R): (1) finegray()'s fgwt against the unweighted expansion times each
# person's own weight (the censoring curve is unweighted in finegray(), so the expansions
# have the same rows); (2) the Fine-Gray fit on those corrected weights; (3) the same fit
# from finegray() run on each stratum separately (no indexing problem there) and stacked.
# (2) and (3) agree with each other to rounding; the fit on finegray()'s own fgwt does not.
#
# Run from the repository root:   Rscript tests/reference/finegray_strata_weights.R
# Writes tests/reference/finegray_strata_weights.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

competing <- read.csv("tests/reference/competing_data.csv")
form <- Surv(time, factor(status)) ~ . + strata(z)
fg_w <- finegray(form, data = competing, etype = "1", weights = w)   # as finegray() does it
fg_1 <- finegray(form, data = competing, etype = "1")                # no case weights
stopifnot(identical(fg_w$id, fg_1$id), identical(fg_w$fgstop, fg_1$fgstop))
right_wt <- fg_1$fgwt * fg_1$w                                       # each person's own weight
fg_fixed <- transform(fg_1, fgwt = right_wt)

# (3) one finegray() call per stratum: within a single stratum the indexing is right
fg_each <- do.call(rbind, lapply(split(competing, competing$z), function(part)
  finegray(Surv(time, factor(status)) ~ ., data = part, etype = "1", weights = w)))

fit <- function(fg, ties) {
  coxph(Surv(fgstart, fgstop, fgstatus) ~ group + x + strata(z), weights = fgwt, data = fg,
        ties = ties, cluster = id)
}
block <- function(f) list(
  coef = unname(coef(f)), robust_se = unname(sqrt(diag(f$var))),
  se = unname(sqrt(diag(f$naive.var))), loglik = f$loglik)

wrong <- abs(fg_w$fgwt - right_wt) > 1e-12
out <- list(
  terms = names(coef(fit(fg_fixed, "breslow"))),
  rows = nrow(fg_w),
  rows_by_stratum = as.list(table(fg_w$z)),
  # (1) the weights: finegray()'s against the right ones
  rows_with_wrong_weight = sum(wrong),
  rows_with_wrong_weight_by_stratum = as.list(table(factor(fg_w$z[wrong], levels = 0:1))),
  weight_sum_finegray = sum(fg_w$fgwt),
  weight_sum_right = sum(right_wt),
  weight_sum_per_stratum = sum(fg_each$fgwt),
  # the first expanded rows whose weight is wrong
  example = local({
    rows <- head(which(wrong), 5)
    list(id = fg_w$id[rows], w = fg_w$w[rows], fgwt_unweighted = fg_1$fgwt[rows],
         fgwt_finegray = fg_w$fgwt[rows], fgwt_right = right_wt[rows])
  }),
  # (2) and (3): the fit with the right weights, two ways, and with finegray()'s weights
  breslow_right = block(fit(fg_fixed, "breslow")),
  breslow_per_stratum = block(fit(fg_each, "breslow")),
  breslow_finegray = block(fit(fg_w, "breslow")),
  efron_right = block(fit(fg_fixed, "efron")),
  efron_finegray = block(fit(fg_w, "efron"))
)
out <- c(list(meta = list(
  R = R.version.string,
  survival = as.character(packageVersion("survival")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "tests/reference/finegray_strata_weights.R",
  data = "tests/reference/competing_data.csv (written by competing_risks.R)",
  model = paste("coxph(Surv(fgstart, fgstop, fgstatus) ~ group + x + strata(z),",
                "weights = fgwt, cluster = id) on finegray(Surv(time, factor(status)) ~",
                ". + strata(z), etype = '1', weights = w)")
)), out)
write_json(out, "tests/reference/finegray_strata_weights.json", digits = NA,
           auto_unbox = TRUE, pretty = TRUE, na = "null")
