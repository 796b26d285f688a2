from common.alembic_env import run

run()
