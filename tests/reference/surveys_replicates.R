# Replicate-weight designs on the api data (R survey 4.1): JK1, JKn, BRR, Fay's BRR and
# the bootstrap built from a design with as.svrepdesign(), and replicate weights given as
# columns (svrepdesign). Reference for rpeval.surveys.replicate_design/ReplicateDesign.
# Run from the repository root (after surveys_api.R, whose CSVs it reads):
#     Rscript tests/reference/surveys_replicates.R
# Writes surveys_replicates.json, api_pairs.csv (a two-PSU-per-stratum design for BRR)
# api_pairs_hadamard.csv (R's Hadamard matrix for it) and api_boot_weights.csv (R's
# bootstrap replicate weights, seed 20261203).
suppressMessages({
  library(survey)
  library(jsonlite)
})
out_dir <- "tests/reference"
read_api <- function(name) read.csv(file.path(out_dir, paste0(name, ".csv")))
apistrat <- read_api("apistrat")
apiclus1 <- read_api("apiclus1")

# Two schools per stratum: 100 strata of the stratified sample, ordered as in the file.
pairs <- apistrat[order(apistrat$stype, seq_len(nrow(apistrat))), ]
pairs$pair <- sprintf("%s%02d", pairs$stype, (ave(seq_len(nrow(pairs)), pairs$stype,
                                                   FUN = seq_along) + 1) %/% 2)
write.csv(pairs, file.path(out_dir, "api_pairs.csv"), row.names = FALSE, na = "")

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus1_nofpc <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
dpairs <- svydesign(id = ~1, strata = ~pair, weights = ~pw, data = pairs)

stat <- function(s) list(estimate = unname(coef(s)), se = unname(SE(s)))
estimates <- function(d) {
  r <- list(degf = degf(d), n_replicates = ncol(d$repweights$weights %||% d$repweights),
            scale = d$scale, rscales = unname(d$rscales))
  r$mean <- stat(svymean(~api00, d))
  r$total <- stat(svytotal(~enroll, d))
  ra <- svyratio(~api.stu, ~enroll, d)
  r$ratio <- list(estimate = unname(coef(ra)), se = unname(SE(ra)))
  b <- svyby(~api00, ~stype, d, svymean, covmat = TRUE)
  r$by_mean <- list(levels = as.character(b$stype), estimate = unname(coef(b)),
                    se = unname(SE(b)), cov = unname(as.vector(vcov(b))))
  r$contrast_EH <- stat(svycontrast(b, c(1, -1, 0)))
  r$proportion <- lapply(c(logit = "logit", beta = "beta", mean = "mean"), function(m) {
    p <- svyciprop(~I(sch.wide == "Yes"), d, method = m)
    list(estimate = unname(as.numeric(p)), se = unname(sqrt(attr(p, "var")[1, 1])),
         ci = unname(attr(p, "ci")))
  })
  r
}
`%||%` <- function(a, b) if (is.null(a)) b else a

results <- list()
results$jk1 <- estimates(as.svrepdesign(dclus1, type = "JK1"))
results$jk1_nofpc <- estimates(as.svrepdesign(dclus1_nofpc, type = "JK1"))
results$jkn <- estimates(as.svrepdesign(dstrat, type = "JKn"))
results$jkn_mse <- estimates(as.svrepdesign(dstrat, type = "JKn", mse = TRUE))
brr <- as.svrepdesign(dpairs, type = "BRR")
results$brr <- estimates(brr)
fay <- as.svrepdesign(dpairs, type = "Fay", fay.rho = 0.3)
results$fay <- estimates(fay)
# R's own Hadamard matrix for 100 strata, given back explicitly: same replicates as above.
H <- survey:::hadamard(100)
write.table(H, file.path(out_dir, "api_pairs_hadamard.csv"), sep = ",", row.names = FALSE,
            col.names = FALSE)
results$brr_hadamard <- estimates(as.svrepdesign(dpairs, type = "BRR", hadamard.matrix = H))
results$fay_hadamard <- estimates(as.svrepdesign(dpairs, type = "Fay", fay.rho = 0.3,
                                                 hadamard.matrix = H))
results$pairs_linearised <- list(total = stat(svytotal(~enroll, dpairs)),
                                 mean = stat(svymean(~api00, dpairs)))

set.seed(20261203)
boot <- as.svrepdesign(dclus1_nofpc, type = "bootstrap", replicates = 50)
results$bootstrap <- estimates(boot)
bw <- weights(boot, "analysis")
colnames(bw) <- sprintf("rep%02d", seq_len(ncol(bw)))
write.csv(cbind(apiclus1[, c("cds", "dnum", "pw")], bw),
          file.path(out_dir, "api_boot_weights.csv"), row.names = FALSE)
# The same weights given as columns: svrepdesign's defaults for a bootstrap.
given <- svrepdesign(data = cbind(apiclus1, bw), repweights = "rep[0-9]+", weights = ~pw,
                     type = "bootstrap", combined.weights = TRUE)
results$bootstrap_columns <- estimates(given)

meta <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
             jsonlite = as.character(packageVersion("jsonlite")), seed = 20261203)
write_json(list(meta = meta, designs = results), file.path(out_dir, "surveys_replicates.json"),
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
