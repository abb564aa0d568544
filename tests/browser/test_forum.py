"""The members' forum on a phone (360 px): a pupil replies to a thread, sees it waiting for
a teacher while a parent does not see it, the teacher approves it from the queue with its
thread named, and the parent reads it (first name and last initial only)."""

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PARENT, PUPIL, TEACHER, go_by_menu, sign_in

THREAD = "Welcome to the members' forum"
REPLY = "Could we have a stall selling seedlings in the spring?"


async def test_a_pupil_replies_on_a_phone_and_the_parent_reads_it_once_approved(
    open_page: OpenPage,
) -> None:
    amelia = await open_page("phone")
    await sign_in(amelia, *PUPIL)
    await go_by_menu(amelia, "Forum")
    await expect(amelia).to_have_url("/forum")
    await check_page(amelia, "forum")
    await amelia.get_by_role("link", name=THREAD).click()
    await expect(amelia.get_by_role("heading", level=1)).to_have_text(THREAD)
    await amelia.get_by_label("Your reply").fill(REPLY)
    await amelia.get_by_role("button", name="Send to my teacher").click()
    mine = amelia.locator("li.forum-post", has_text=REPLY)
    await expect(mine).to_contain_text("Waiting for a teacher")
    await expect(amelia.get_by_text("Sent to a teacher.")).to_be_visible()
    await check_page(amelia, "forum-reply-waiting")

    parent = await open_page("phone")
    await sign_in(parent, *PARENT)
    await parent.goto("/forum")
    await parent.get_by_role("link", name=THREAD).click()
    await expect(parent.get_by_text(REPLY)).to_have_count(0)

    teacher = await open_page("phone")
    await sign_in(teacher, *TEACHER)
    await teacher.goto("/moderation?kind=forum")
    item = teacher.locator("article.mod-item", has_text=REPLY)
    await expect(item).to_contain_text("By Amelia B.")
    await expect(item.get_by_role("link", name=THREAD)).to_be_visible()
    await check_page(teacher, "forum-queue")
    await item.get_by_role("button", name="Approve").click()
    await expect(teacher.get_by_text("Approved: the cluster can see it now.")).to_be_visible()

    await parent.reload()
    post = parent.locator("li.forum-post", has_text=REPLY)
    await expect(post).to_contain_text("Amelia B.")
    await expect(post).not_to_contain_text("Brown")
    await expect(post).not_to_contain_text("Waiting")
    await check_page(parent, "forum-thread")


async def test_a_long_unbroken_word_and_a_long_title_stay_on_a_phone(open_page: OpenPage) -> None:
    """A pupil's 300-letter word, a 120-character title with no spaces: wrapped, never a
    sideways scroll at 360 px."""
    amelia = await open_page("phone")
    await sign_in(amelia, *PUPIL)
    await amelia.goto("/forum/new")
    await amelia.get_by_label("Title").fill("W" * 120)
    await amelia.get_by_label("Your post").fill("a" * 300 + " 😀 " + "b" * 300)
    await amelia.get_by_role("button", name="Send to my teacher").click()
    await expect(amelia.get_by_role("heading", level=1)).to_have_text("W" * 120)
    await check_page(amelia, "forum-long-words")
    await amelia.goto("/forum")
    await check_page(amelia, "forum-list-long-title")
