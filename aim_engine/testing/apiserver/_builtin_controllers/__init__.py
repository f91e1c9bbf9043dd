"""The built-in controllers room of the fake API server: what kube-controller-manager would do.

The garbage collector (ownerReferences, foreground deletion), the namespace controller (emptying
a terminating namespace) and the CRD cleanup finalizer, run as one background loop woken after
writes; a pass runs only when a deletion or an ownership change could give it work.
"""
