"""The members service (会员管理): the union directory (区局、基层工会) and the roster (会员名册)."""

from common.web import create_service_app
from services.members.api import (
    detail_changes,
    directory,
    fact_changes,
    id_lookups,
    me,
    registrations,
    roster,
    transfers,
    uploads,
)
from services.members.bootstrap import runtime


def create_app():
    blueprints = [directory.blp, roster.blp, transfers.blp, uploads.blp, id_lookups.blp, registrations.blp, me.blp]
    blueprints.append(fact_changes.blp)  # 登记信息变更 (0040)
    blueprints.append(detail_changes.blp)  # 待确认变更 (0047)
    return create_service_app(runtime, blueprints, title="members 会员管理", description="工会名录与会员名册")
