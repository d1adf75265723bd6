"""Issue 24 §5: the backup and restore drill on DynamoDB Local and the local S3 — a stage's table exported
in the export-to-S3 format, restored into a fresh table and compared item by item: nothing lost, nothing
changed, the personal numbers still sealed (CONTRACT "Identity and access") and still readable with the
stage's keys."""
from __future__ import annotations

from tests.core.test_me import ID_NUMBER, alice, change  # noqa: F401  (fixture)
from tests.core.test_signin import wechat  # noqa: F401  (fixture)


def test_an_exported_table_restores_into_a_fresh_table_item_by_item_with_personal_numbers_sealed(
        client, alice, aws_backend):  # noqa: F811
    from chalicelib.platform import config, pii
    from infra import bootstrap
    from tools import restore_drill

    assert change(client, alice, {"name": "张三", "id_number": ID_NUMBER}, version=1).status_code == 200
    dynamodb, s3 = aws_backend.dynamodb(), aws_backend.s3()
    table, bucket = config.table_name(), config.ledger_bucket()
    root = restore_drill.export(dynamodb, s3, table, bucket)
    count = restore_drill.restore(dynamodb, s3, bucket, root, "drill-restored", bootstrap.local_params("local"))

    assert count == len(list(restore_drill._scan(dynamodb, table))) > 5
    assert restore_drill.compare(dynamodb, table, "drill-restored") == {"missing": [], "extra": [], "changed": []}
    assert restore_drill.clear_pii(dynamodb, "drill-restored") == []
    sealed = [i for i in restore_drill._scan(dynamodb, "drill-restored") if "id_number_cipher" in i]
    assert [pii.decrypt("id_number", i["id_number_cipher"]["S"]) for i in sealed] == [ID_NUMBER.upper()]


def test_the_drill_finds_a_personal_number_left_in_clear(aws_backend):
    """The check is not vacuous: a phone number written in clear into any text is named."""
    from chalicelib.platform import config
    from tools import restore_drill

    dynamodb = aws_backend.dynamodb()
    dynamodb.put_item(TableName=config.table_name(), Item={
        "pk": {"S": "note#1"}, "sk": {"S": "note"}, "text": {"S": "请回电 13812345678"},
        "phone_masked": {"S": "138****5678"}})
    assert restore_drill.clear_pii(dynamodb, config.table_name()) == [("note#1", "note", "text")]


def test_a_boards_published_work_phone_is_no_leak_and_a_write_after_the_export_is_no_loss(aws_backend):
    """Against a running `make dev` (docs/admin-guide.md §6): a grid's board shows staff's work phones in full
    (CONTRACT: not personal data), and the server keeps writing while the drill runs."""
    from chalicelib.platform import config
    from infra import bootstrap
    from tools import restore_drill

    dynamodb, s3 = aws_backend.dynamodb(), aws_backend.s3()
    table, bucket = config.table_name(), config.ledger_bucket()
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "grid-board#320402001001001"}, "sk": {"S": "record"},
                                             "entity": {"S": "grid-board"}, "board": {"S": "网格调解员 13800001201"}})
    root = restore_drill.export(dynamodb, s3, table, bucket)
    restore_drill.restore(dynamodb, s3, bucket, root, "drill-restored", bootstrap.local_params("local"))
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "note#2"}, "sk": {"S": "note"}})  # after the export
    assert restore_drill.compare_items(restore_drill.read_export(s3, bucket, root), dynamodb, "drill-restored") == {
        "missing": [], "extra": [], "changed": []}
    assert restore_drill.clear_pii(dynamodb, "drill-restored") == []
