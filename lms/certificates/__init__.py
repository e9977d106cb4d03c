"""Certificates: public codes, signed Open Badges 3.0 credentials, PDFs and verification."""
