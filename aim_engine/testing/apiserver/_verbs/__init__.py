"""The verbs room of the fake API server: what create, update, patch, delete and list do.

The semantics kube-apiserver applies inside a request, independent of HTTP: system metadata,
optimistic concurrency, the status subresource, schema and metadata validation, the four patch
types wired to storage, finalizers and propagation policies, paginated and consistent lists, and
the side effects of writing a CustomResourceDefinition.
"""
