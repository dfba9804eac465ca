"""Catalogs cascading up the government hierarchy (全国一体化政务大数据体系).

A city or county instance exposes its registered catalog to the instance above over an
authenticated, paged, incremental, government-only endpoint (:mod:`.api`). The upper
instance registers each lower platform as a :class:`~.models.CascadeSource` and pulls it
on a schedule (:func:`~.services.cascade_pull`) into its platform catalog as read-only
entries marked with their origin (:class:`~.models.CascadedEntry`), found and faceted
with its own. Applications for a cascaded entry are routed to the origin by a link.
"""
