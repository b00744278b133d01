# Reference values for cluster-robust rate models: Poisson on lifelines' recur data
# aggregated to one row per person, with clusters of four consecutive people (cluster = (row - 1) %/% 4), and
# sandwich::vcovCL(type = "HC0", cadjust = FALSE): the plain sum over clusters, as
# coxph(cluster = ) and rpeval's other cluster sandwiches compute it.
#
# Run from the repository root:   Rscript tests/reference/rate_model_cluster.R
# Writes tests/reference/rate_model_cluster.json (digits = NA).
suppressPackageStartupMessages({
  library(MASS)
  library(sandwich)
  library(jsonlite)
})

recur <- read.csv("tests/fixtures/recur.csv")
people <- do.call(rbind, lapply(split(recur, recur$ID), function(p) data.frame(
  ID = p$ID[1], AGE = p$AGE[1], TREAT = p$TREAT[1], arrests = sum(p$CENSOR),
  years = max(p$TIME1) / 365.25)))
people$cl <- (seq_len(nrow(people)) - 1) %/% 4

block <- function(fit) {
  v <- sandwich::vcovCL(fit, cluster = ~cl, type = "HC0", cadjust = FALSE)
  list(terms = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(v))))
}
poisson <- glm(arrests ~ TREAT + AGE + offset(log(years)), family = poisson, data = people)
out <- list(
  r_version = R.version.string,
  sandwich_version = as.character(packageVersion("sandwich")),
  n_clusters = length(unique(people$cl)),
  poisson = block(poisson)
)
write_json(out, "tests/reference/rate_model_cluster.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
