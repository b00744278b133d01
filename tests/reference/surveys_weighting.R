# Weighting to the population on the api data (R survey 4.1): postStratify, rake,
# calibrate (linear and raking) and trimWeights; reference for rpeval.surveys.weighting.
# Run from the repository root after surveys_api.R:  Rscript tests/reference/surveys_weighting.R
suppressMessages({
  library(survey)
  library(jsonlite)
})
out_dir <- "tests/reference"
apiclus1 <- read.csv(file.path(out_dir, "apiclus1.csv"))
apistrat <- read.csv(file.path(out_dir, "apistrat.csv"))
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)

summarise <- function(d) {
  m <- svymean(~api00, d)
  t <- svytotal(~enroll, d)
  b <- svyby(~api00, ~stype, d, svymean)
  list(weights = unname(weights(d)), mean = unname(coef(m)), mean_se = unname(SE(m)),
       total = unname(coef(t)), total_se = unname(SE(t)), by_mean = unname(coef(b)),
       by_se = unname(SE(b)))
}
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_sch <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
res <- list()
res$poststratify <- summarise(postStratify(dclus1, ~stype, pop_stype))
res$rake <- summarise(rake(dclus1, list(~stype, ~sch.wide), list(pop_stype, pop_sch)))
# svymean() of a raked design; the design's raking iterations, recomputed by hand
res$calibrate_linear <- summarise(calibrate(dclus1, ~stype + api99,
                                            c(6194, 755, 1018, 3914069)))
res$calibrate_raking <- summarise(calibrate(dclus1, ~stype + api99,
                                            c(6194, 755, 1018, 3914069), calfun = "raking"))
res$calibrate_linear_strat <- summarise(calibrate(dstrat, ~api99, c(6194, 3914069)))
res$trim <- list(weights = unname(weights(trimWeights(dstrat, upper = 40, lower = 20))),
                 strict = unname(weights(trimWeights(dstrat, upper = 40, lower = 20,
                                                     strict = TRUE))))
kish <- function(w) sum(w)^2 / sum(w^2)
res$kish <- list(apistrat = kish(weights(dstrat)),
                 raked = kish(weights(rake(dclus1, list(~stype, ~sch.wide),
                                           list(pop_stype, pop_sch)))))
meta <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
             jsonlite = as.character(packageVersion("jsonlite")))
write_json(list(meta = meta, results = res), file.path(out_dir, "surveys_weighting.json"),
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
