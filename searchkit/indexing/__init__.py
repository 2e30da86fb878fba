"""Building the index: read a corpus (`corpus`, `walk`), analyse articles (`analysis`), write
segments (`segments`, `postings`), commit and merge them (`store`, `merge`), and keep it in
sync with the files (`sync`). Nothing here is imported on the query path but `store`'s
reading side and `postings`' reader."""
