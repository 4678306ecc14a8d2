"""The build's bookkeeping: the steps (the one map of the build), the plan, the read
step, a draft's files, publishing, the audit log and progress."""
