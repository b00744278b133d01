# Scale reliability on psych's bfi items (psych 2.2.9): Cronbach's alpha (raw and
# standardised), Feldt interval, alpha if an item is dropped, corrected item-total
# correlations (r.drop) and McDonald's omega total; reference for rpeval.surveys.scales.
# Run from the repository root:  Rscript tests/reference/surveys_scales.R
# Writes tests/reference/bfi_items.csv (the ten A and C items, gender, age; public data).
suppressMessages({
  library(psych)
  library(jsonlite)
})
out_dir <- "tests/reference"
items <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5), "gender", "age")]
write.csv(items, file.path(out_dir, "bfi_items.csv"), row.names = FALSE, na = "")

run_alpha <- function(x, keys = NULL) {
  a <- if (is.null(keys)) alpha(x, warnings = FALSE) else alpha(x, keys = keys, warnings = FALSE)
  list(n = nrow(x), raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
       feldt_lower = unname(a$feldt$lower.ci), feldt_upper = unname(a$feldt$upper.ci),
       drop_raw = unname(a$alpha.drop$raw_alpha), drop_std = unname(a$alpha.drop$std.alpha),
       r_drop = unname(a$item.stats$r.drop), items = colnames(x))
}
A <- na.omit(bfi[, paste0("A", 1:5)])
C <- na.omit(bfi[, paste0("C", 1:5)])
res <- list()
res$agreeableness <- run_alpha(A, keys = "A1")
res$conscientiousness <- run_alpha(C, keys = c("C4", "C5"))
res$agreeableness_unreversed <- run_alpha(A[, 2:5])
omega_t <- function(x) {
  o <- suppressWarnings(suppressMessages(omega(x, nfactors = 1, plot = FALSE)))
  o$omega.tot
}
Arev <- A
Arev$A1 <- 7 - Arev$A1
Crev <- C
Crev$C4 <- 7 - Crev$C4
Crev$C5 <- 7 - Crev$C5
res$omega <- list(agreeableness = omega_t(Arev), conscientiousness = omega_t(Crev))
meta <- list(R = R.version.string, psych = as.character(packageVersion("psych")),
             jsonlite = as.character(packageVersion("jsonlite")))
write_json(list(meta = meta, results = res), file.path(out_dir, "surveys_scales.json"),
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
