//! Rules that keep pupils from being recognised in published figures.

/// Fewer pupils than this in a reported cell (a class's 体质健康 rates shown to teachers, a special
/// group's scores on a paper report) and the cell is not shown: with so few, a rate or a mean
/// points at a person. The common small-cell rule of education statistics (5).
pub const MIN_CELL: usize = 5;

/// Whether a cell of `pupils` may be shown where small cells are hidden.
pub fn cell_shown(pupils: usize) -> bool {
    pupils >= MIN_CELL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_under_five_pupils_are_hidden() {
        assert!(!cell_shown(0) && !cell_shown(MIN_CELL - 1));
        assert!(cell_shown(MIN_CELL) && cell_shown(MIN_CELL + 1));
    }
}
